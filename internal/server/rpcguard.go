package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
)

// MaxMessageBytes bounds one JSON-RPC message on stdio. The largest
// argument a tool takes is a 1 MB template; 8 MiB leaves room for JSON
// escaping without letting one line hold the process's memory.
const MaxMessageBytes = 8 << 20

// maxExactID is 2^53: JSON-RPC ids are decoded by mcp-go into float64,
// which holds every integer only up to here; a larger id would come back
// rounded and the client could not match the answer to its request.
var maxExactID = new(big.Int).Lsh(big.NewInt(1), 53)

// GuardStdio sits between the stdio transport and mcp-go's stdio server. It
// answers, in this layer, the messages mcp-go mishandles:
//   - a request whose "jsonrpc" member is not the string "2.0" (e.g. the
//     number 2.0) gets an Invalid Request error carrying its id;
//   - a request whose integer id is beyond ±2^53 gets an Invalid Request
//     error carrying the id exactly as sent (mcp-go would round it);
//   - a message longer than MaxMessageBytes is discarded unread with a
//     Request Too Large error (id null: it was not parsed).
//
// Everything else passes through unchanged. The returned writer serialises
// whole writes so the guard's answers never interleave with mcp-go's; pass
// it to mcp-go as its output.
func GuardStdio(in io.Reader, out io.Writer) (io.Reader, io.Writer) {
	w := &lockedWriter{w: out}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(guardLines(in, pw, w))
	}()
	return pr, w
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// guardLines copies valid lines from in to pass and answers the others on
// reply. It returns nil at EOF.
func guardLines(in io.Reader, pass io.Writer, reply io.Writer) error {
	r := bufio.NewReaderSize(in, 64<<10)
	for {
		line, tooLong, err := readLine(r, MaxMessageBytes)
		if tooLong {
			if werr := writeRPCError(reply, json.RawMessage("null"), -32600, "message larger than 8 MiB; send a smaller request"); werr != nil {
				return werr
			}
		} else if len(bytes.TrimSpace(line)) > 0 {
			if id, msg, bad := judgeMessage(line); bad {
				if id != nil {
					write := func() error { return writeRPCError(reply, id, -32600, msg) }
					if tm, ok := strings.CutPrefix(msg, toolErrPrefix); ok {
						write = func() error { return writeToolError(reply, id, tm) }
					}
					if werr := write(); werr != nil {
						return werr
					}
				}
			} else if _, werr := pass.Write(line); werr != nil {
				return werr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// readLine returns the next line including its newline, or tooLong after
// discarding a line longer than max.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			tooLong = true
			buf = nil
		}
		if !tooLong {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return nil, true, err
		}
		if len(buf) > 0 && buf[len(buf)-1] != '\n' {
			buf = append(buf, '\n')
		}
		return buf, false, err
	}
}

// judgeMessage decides whether a line must be answered here. It returns the
// id to answer with (nil for a notification, which gets no answer) and why.
// A line that is not a JSON object (garbage, a batch) passes: mcp-go
// answers those correctly.
func judgeMessage(line []byte) (id json.RawMessage, msg string, bad bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil {
		return nil, "", false
	}
	id = m["id"]
	if v, ok := m["jsonrpc"]; !ok || string(bytes.TrimSpace(v)) != `"2.0"` {
		if _, isReq := m["method"]; !isReq || len(id) == 0 || string(id) == "null" {
			return nil, "", true // a notification or a response: nothing to answer
		}
		if c := id[0]; c != '"' && c != '-' && (c < '0' || c > '9') {
			id = json.RawMessage("null") // not a valid id: answer with null
		}
		return id, `"jsonrpc" must be the string "2.0"`, true
	}
	if len(line) > largeMessage && string(bytes.TrimSpace(m["method"])) == `"tools/call"` {
		if why := oversizeContainer(m["params"]); why != "" {
			return id, toolErrPrefix + why, true
		}
	}
	if len(id) > 0 && id[0] != '"' && id[0] != 'n' {
		var n big.Int
		if _, ok := n.SetString(string(bytes.TrimSpace(id)), 10); ok && new(big.Int).Abs(&n).Cmp(maxExactID) > 0 {
			return id, "request id is an integer beyond ±2^53, which this server cannot echo exactly; use a smaller integer or a string id", true
		}
	}
	return nil, "", false
}

// largeMessage is the size from which a tools/call line is scanned for
// oversized lists and objects here, before anything decodes it: decoding a
// 6 MB object of 400,000 keys (and validating it against the tool's schema)
// took mcp-go 13 s on a busy machine, only for checkArgs to refuse it.
// Smaller messages take the ordinary path, whose error names the field.
const largeMessage = 256 << 10

// oversizeContainer scans raw JSON without decoding it and says why it is
// refused when a list or object holds more than MaxArgItems/MaxArgKeys
// entries or nests deeper than MaxArgDepth (plus the envelope's levels).
func oversizeContainer(raw []byte) string {
	var counts []int
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			counts = append(counts, 1)
			if len(counts) > MaxArgDepth+2 {
				return fmt.Sprintf("the arguments nest deeper than %d levels; send a flatter request", MaxArgDepth)
			}
		case c == '}' || c == ']':
			if len(counts) > 0 {
				counts = counts[:len(counts)-1]
			}
		case c == ',' && len(counts) > 0:
			counts[len(counts)-1]++
			if counts[len(counts)-1] > max(MaxArgItems, MaxArgKeys) {
				return fmt.Sprintf("the arguments hold a list or object with more than %d entries, more than this server accepts in one; send only the values that apply", max(MaxArgItems, MaxArgKeys))
			}
		}
	}
	return ""
}

// toolErrPrefix marks a verdict answered as a tool error result (isError),
// as MCP wants for a tools/call whose arguments are refused.
const toolErrPrefix = "\x00tool:"

func writeToolError(w io.Writer, id json.RawMessage, msg string) error {
	raw, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "result": map[string]any{
		"content": []any{map[string]any{"type": "text", "text": msg}}, "isError": true}})
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}

func writeRPCError(w io.Writer, id json.RawMessage, code int, msg string) error {
	raw, err := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, msg}})
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}
