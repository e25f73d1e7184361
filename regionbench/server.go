package regionbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"perenos/crawler/crawlbench"
)

// The serving process and the benchmark talk over the child's standard
// streams and loopback: the benchmark writes the region's spec as one
// JSON line to the child's stdin; the child lays the region out, listens
// on loopback and answers with one JSON line naming its address; it then
// serves until its stdin closes (the benchmark finished, or died), so that
// it never outlives the benchmark. Requests for controlHost ask it what
// it served.

// controlHost is the Host header of the serving process's own questions.
const controlHost = "control.regionbench.invalid"

// ready is the serving process's answer to the spec.
type ready struct {
	Addr  string `json:"addr"`
	Error string `json:"error,omitempty"`
}

// Serve is the serving process: it reads the spec from in, serves the
// region on loopback, says where on out, and returns when in closes or
// ctx ends. perenos runs it as `perenos bench region --serve-only`.
func Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	br := bufio.NewReader(in)
	line, err := br.ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("region server: reading the spec from stdin: %w", err)
	}
	var spec crawlbench.LegacySpec
	if err := json.Unmarshal(line, &spec); err != nil {
		json.NewEncoder(out).Encode(ready{Error: "bad spec: " + err.Error()})
		return fmt.Errorf("region server: the spec on stdin is not JSON: %w", err)
	}
	region := crawlbench.NewLegacyRegion(spec)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		json.NewEncoder(out).Encode(ready{Error: err.Error()})
		return fmt.Errorf("region server: %w", err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.Host, controlHost) {
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(region.Served())
				return
			}
			region.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer srv.Close()
	if err := json.NewEncoder(out).Encode(ready{Addr: ln.Addr().String()}); err != nil {
		return fmt.Errorf("region server: answering on stdout: %w", err)
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, br) // until the benchmark closes our stdin
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

// server is the benchmark's handle on the serving process.
type server struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	addr   string
	client *http.Client
}

// startServer starts the serving process with cmd, hands it the spec and
// waits for its address.
func startServer(ctx context.Context, cmd *exec.Cmd, spec crawlbench.LegacySpec) (*server, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the region server %s: %w", cmd.Path, err)
	}
	s := &server{cmd: cmd, stdin: stdin, client: &http.Client{Timeout: time.Minute}}
	data, _ := json.Marshal(spec)
	if _, err := stdin.Write(append(data, '\n')); err != nil {
		s.stop()
		return nil, fmt.Errorf("region server: sending the spec: %w", err)
	}
	type answer struct {
		r   ready
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		var a answer
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil {
			err = json.Unmarshal(line, &a.r)
		}
		a.err = err
		ch <- a
		io.Copy(io.Discard, stdout)
	}()
	select {
	case a := <-ch:
		switch {
		case a.err != nil:
			s.stop()
			return nil, fmt.Errorf("region server %s did not say its address: %w", cmd.Path, a.err)
		case a.r.Error != "":
			s.stop()
			return nil, fmt.Errorf("region server: %s", a.r.Error)
		}
		s.addr = a.r.Addr
	case <-time.After(time.Minute):
		s.stop()
		return nil, errors.New("region server did not start within a minute")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	return s, nil
}

// served asks the serving process what it has answered so far.
func (s *server) served(ctx context.Context) (*crawlbench.Served, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+"/served", nil)
	if err != nil {
		return nil, err
	}
	req.Host = controlHost
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asking the region server what it served: %w", err)
	}
	defer resp.Body.Close()
	var out crawlbench.Served
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("the region server's counts: %w", err)
	}
	return &out, nil
}

// stop closes the serving process's stdin, which ends it, and waits.
func (s *server) stop() error {
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		return <-done
	}
}
