// Package handoff carries a command from one perenos process to the
// perenos serve that holds the workspace, over a socket only the
// workspace's owner may use, and carries its output and outcome back.
//
// bbolt lets one process hold a ledger. While perenos serve runs, every
// other command that works on the ledger is handed to it: the client sends
// a typed Request (the command's options as it parsed them, paths already
// absolute, secrets already read), the server runs the command on its own
// open workspace and streams Frames back. The socket lives in the
// workspace folder; the server answers only peers with its own user ID.
// Linux and macOS only: on other systems Listen returns ErrUnsupported and
// Call reports that no server answered.
package handoff

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
)

// SocketName is the socket's file name inside the workspace folder.
const SocketName = "serve.sock"

// ErrUnsupported says this system cannot hand commands over.
var ErrUnsupported = errors.New("handing commands to perenos serve needs Linux or macOS")

// Path is the socket of the workspace in dir.
func Path(dir string) string { return filepath.Join(dir, SocketName) }

// Request is one command handed to the server.
type Request struct {
	// Command names it as the command line does ("act sign").
	Command string `json:"command"`
	// Options is the command's options, encoded by the client as its
	// command parsed them (see the command's own type).
	Options json.RawMessage `json:"options"`
	Args    []string        `json:"args,omitempty"`
	// Actor, LogLevel and Quiet are the client's global options.
	Actor    string `json:"actor"`
	LogLevel string `json:"log_level,omitempty"`
	Quiet    bool   `json:"quiet,omitempty"`
}

// Frame is one message from the server: output on a stream, or the end.
type Frame struct {
	Stream int    `json:"stream,omitempty"` // 1 standard output, 2 standard error
	Data   []byte `json:"data,omitempty"`
	Done   bool   `json:"done,omitempty"`
	Result Result `json:"result,omitzero"`
}

// Result is how a handed command ended.
type Result struct {
	Exit    int    `json:"exit"`
	Message string `json:"message,omitempty"` // the error a person reads
	Hint    string `json:"hint,omitempty"`
}

// Handler runs one handed command, writing its output to stdout and
// stderr; ctx ends when the client hangs up.
type Handler func(ctx context.Context, req Request, stdout, stderr io.Writer) Result

// Serve answers handed commands on ln until ln is closed. Each connection
// is checked to come from the server's own user before anything is read.
func Serve(ctx context.Context, ln net.Listener, h Handler, refused func(error)) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer c.Close()
			if err := serveOne(ctx, c, h); err != nil && refused != nil {
				refused(err)
			}
		})
	}
}

func serveOne(ctx context.Context, c net.Conn, h Handler) error {
	if err := checkPeer(c); err != nil {
		return err
	}
	r := bufio.NewReader(io.LimitReader(c, 16<<20))
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read handed command: %w", err)
	}
	var req Request
	if err := json.Unmarshal(line, &req); err != nil || req.Command == "" {
		return fmt.Errorf("malformed handed command")
	}
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // the client hung up (Ctrl-C): stop the command
		_, _ = io.Copy(io.Discard, r)
		cancel()
	}()
	var mu sync.Mutex
	enc := json.NewEncoder(c)
	send := func(f Frame) error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(f)
	}
	res := h(jctx, req, streamWriter{send, 1}, streamWriter{send, 2})
	return send(Frame{Done: true, Result: res})
}

// streamWriter sends what a command writes as frames of one stream.
type streamWriter struct {
	send   func(Frame) error
	stream int
}

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w.send(Frame{Stream: w.stream, Data: append([]byte(nil), p...)}); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ErrStopped says the server went away before the command finished.
var ErrStopped = errors.New("perenos serve stopped answering before the command finished")

// Call hands req to the server of the workspace in dir and copies its
// output to stdout and stderr. handled is false when no server answers
// (none runs, or this system cannot hand over): the caller then runs the
// command itself.
func Call(ctx context.Context, dir string, req Request, stdout, stderr io.Writer) (handled bool, res Result, err error) {
	c, err := dial(ctx, Path(dir))
	if err != nil {
		return false, Result{}, nil
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	data, err := json.Marshal(req)
	if err != nil {
		return true, Result{}, fmt.Errorf("encode the command for perenos serve: %w", err)
	}
	if _, err := c.Write(append(data, '\n')); err != nil {
		return true, Result{}, fmt.Errorf("hand the command to perenos serve: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(c))
	for {
		var f Frame
		if err := dec.Decode(&f); err != nil {
			if ctx.Err() != nil {
				return true, Result{}, ctx.Err()
			}
			return true, Result{}, fmt.Errorf("%w: %v", ErrStopped, err)
		}
		switch {
		case f.Done:
			return true, f.Result, nil
		case f.Stream == 2:
			stderr.Write(f.Data)
		default:
			stdout.Write(f.Data)
		}
	}
}
