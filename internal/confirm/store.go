package confirm

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	keyFile  = "confirm.key"
	spentDir = "spent-tokens"
	keyBytes = 32
	// pruneGrace keeps a spent marker this long past its token's expiry, so a
	// clock that steps back a little cannot revive a token whose marker was
	// pruned.
	pruneGrace = time.Minute
)

// store is the state directory: the HMAC key and the ledger of spent tokens.
type store struct {
	dir string
}

// openStore creates the state directory (0700) and loads or creates the key
// (0600). Two processes racing to create the key agree on one: each writes a
// complete temporary file and hard-links it into place, which fails for all
// but the first; the losers read the winner's key.
func openStore(dir string) (*store, []byte, error) {
	if dir == "" {
		return nil, nil, errors.New("confirm: no state directory configured (--state-dir)")
	}
	// An existing directory is checked before anything is created in it.
	if _, err := os.Stat(dir); err == nil {
		if err := restrictDir(dir, true); err != nil {
			return nil, nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, spentDir), 0o700); err != nil {
		return nil, nil, fmt.Errorf("confirm: create state directory: %w", err)
	}
	// MkdirAll leaves an existing directory's mode alone; a state directory
	// others can list would leak token ids, so tighten it, but only when it
	// holds nothing but our state: --state-dir pointed at a shared
	// directory (/tmp, a home directory) must not have its mode changed.
	if err := restrictDir(dir, true); err != nil {
		return nil, nil, err
	}
	if err := restrictDir(filepath.Join(dir, spentDir), false); err != nil {
		return nil, nil, err
	}
	s := &store{dir: dir}
	key, err := s.loadKey()
	if errors.Is(err, fs.ErrNotExist) {
		key, err = s.createKey()
	}
	if err != nil {
		return nil, nil, err
	}
	return s, key, nil
}

// restrictDir makes dir 0700 when others can reach it. With checkOwn, it
// refuses instead when dir holds anything besides the key and the ledger.
func restrictDir(dir string, checkOwn bool) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("confirm: state directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("confirm: state directory %s is not a directory", dir)
	}
	if st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if checkOwn {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("confirm: state directory: %w", err)
		}
		for _, e := range entries {
			if n := e.Name(); n != keyFile && n != spentDir && n != pendingDir && !strings.HasPrefix(n, keyFile+".tmp-") {
				return fmt.Errorf("confirm: state directory %s is open to others (mode %#o) and holds other files (%s); give --state-dir a directory of its own, which is made private (0700)", dir, st.Mode().Perm(), n)
			}
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("confirm: restrict state directory: %w", err)
	}
	return nil
}

func (s *store) keyPath() string { return filepath.Join(s.dir, keyFile) }

func (s *store) loadKey() ([]byte, error) {
	p := s.keyPath()
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("confirm: key file %s is not a regular file (mode %v); delete it to create a new key (outstanding tokens become invalid)", p, st.Mode())
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("confirm: key file %s is readable by others (mode %v); run chmod 600 on it", p, st.Mode().Perm())
	}
	key, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("confirm: read key: %w", err)
	}
	if len(key) != keyBytes {
		return nil, fmt.Errorf("confirm: key file %s has %d bytes, want %d; delete it to create a new key (outstanding tokens become invalid)", p, len(key), keyBytes)
	}
	return key, nil
}

func (s *store) createKey() ([]byte, error) {
	key := make([]byte, keyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("confirm: generate key: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, keyFile+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("confirm: create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("confirm: create key: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("confirm: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("confirm: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("confirm: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), s.keyPath()); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return s.loadKey() // another process won the race
		}
		return nil, fmt.Errorf("confirm: install key: %w", err)
	}
	return key, nil
}

// spend marks the token id as used. It returns false when the token was
// already spent. The marker is created with O_EXCL, so of several processes
// spending one token concurrently exactly one succeeds. The marker's name
// carries the token's expiry, which is what pruning reads.
func (s *store) spend(id string, exp, now time.Time) (bool, error) {
	s.prune(now)
	name := filepath.Join(s.dir, spentDir, strconv.FormatInt(exp.Unix(), 10)+"-"+id)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("confirm: record spent token: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("confirm: record spent token: %w", err)
	}
	return true, nil
}

// spent reports whether the token id is in the ledger.
func (s *store) spent(id string, exp time.Time) bool {
	name := filepath.Join(s.dir, spentDir, strconv.FormatInt(exp.Unix(), 10)+"-"+id)
	_, err := os.Lstat(name)
	return err == nil
}

// prune removes markers of tokens that expired more than pruneGrace ago:
// such tokens are refused on their expiry alone. Errors are ignored; a
// marker left behind costs a few bytes and the next spend tries again.
func (s *store) prune(now time.Time) {
	entries, err := os.ReadDir(filepath.Join(s.dir, spentDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		expStr, _, ok := strings.Cut(e.Name(), "-")
		if !ok {
			continue
		}
		exp, err := strconv.ParseInt(expStr, 10, 64)
		if err != nil {
			continue
		}
		if now.After(time.Unix(exp, 0).Add(pruneGrace)) {
			_ = os.Remove(filepath.Join(s.dir, spentDir, e.Name()))
		}
	}
}

// ledgerSize is the number of spent markers (for tests).
func (s *store) ledgerSize() int {
	entries, _ := os.ReadDir(filepath.Join(s.dir, spentDir))
	return len(entries)
}
