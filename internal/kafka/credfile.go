package kafka

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxCredentialFileBytes bounds a PEM or password file a target names. It is
// this server's policy, not an AWS figure: the largest such file in use is
// a CA bundle (the Mozilla root bundle a system ships is about 220 KB), so
// 1 MiB admits every real one while /dev/zero or a multi-gigabyte file can
// no longer take the process's memory.
const MaxCredentialFileBytes = 1 << 20

// errNotRegular marks a path that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// ReadCredentialFile reads a PEM or password file safely for a server that
// takes the path from a tool call: it opens without blocking (O_NONBLOCK,
// so a FIFO with no writer cannot hang the call) and without becoming the
// controlling terminal, then checks the opened file itself (no race with a
// swapped path) is a regular file of at most MaxCredentialFileBytes.
// Devices, FIFOs, sockets, directories and /dev/stdin (the protocol pipe
// under `serve`) are refused before a byte is read.
func ReadCredentialFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s): name a PEM or password file", errNotRegular, kind(fi.Mode()))}
	}
	if fi.Size() > MaxCredentialFileBytes {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("file is %d bytes, over the %d-byte limit of a credential file", fi.Size(), MaxCredentialFileBytes)}
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxCredentialFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxCredentialFileBytes { // grew while we read it
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("file grew over the %d-byte limit while being read", MaxCredentialFileBytes)}
	}
	return raw, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
