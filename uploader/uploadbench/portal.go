package uploadbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"time"

	"perenos/portal/server"
	"perenos/procstat"
)

// token is the bench site's token on the bench portal.
const token = "bench-token-0123456789"

// portalConfig is what a bench portal is made of.
type portalConfig struct {
	Dir     string        `json:"dir"` // its storage folder
	Fsync   bool          `json:"fsync"`
	Added   bool          `json:"added_latency"` // latency added to the work, not answered after
	Latency time.Duration `json:"latency_ns"`
}

// portalInfo is what the uploader needs to know of a bench portal.
type portalInfo struct {
	URL string `json:"url"`
	ID  string `json:"id"`
}

// portalReport is what a bench portal measured since its last reset.
type portalReport struct {
	// Requests are the API requests' times in the portal's handler.
	Requests []time.Duration `json:"requests_ns"`
	// Connections are the TCP connections the portal accepted.
	Connections int64 `json:"connections"`
	// CPU is the portal process's CPU time; 0 when the portal shares
	// the uploader's process.
	CPU time.Duration `json:"cpu_ns"`
}

// benchPortal is the portal a run uploads to, in this process or its own.
type benchPortal interface {
	info() portalInfo
	// reset starts a measure: the portal forgets what it clocked.
	reset() error
	report() (portalReport, error)
	close() error
}

// localPortal is a reference portal on loopback that clocks its API
// requests and counts its connections.
type localPortal struct {
	srv      *server.Server
	hs       *httptest.Server
	requests clock
	conns    atomic.Int64
	ownCPU   bool // the portal has the process to itself: its CPU is the process's
	cpu0     time.Duration
}

var _ benchPortal = (*localPortal)(nil)

func startLocalPortal(cfg portalConfig, ownCPU bool) (*localPortal, error) {
	faults := server.Faults{AnswerAfter: cfg.Latency}
	if cfg.Added {
		faults = server.Faults{Latency: cfg.Latency}
	}
	srv, err := server.NewServer(server.Config{DataFile: filepath.Join(cfg.Dir, "portal.db"), Tokens: map[string]string{"bench": token},
		Faults: faults, NoSync: !cfg.Fsync})
	if err != nil {
		return nil, err
	}
	p := &localPortal{srv: srv, ownCPU: ownCPU}
	p.hs = httptest.NewUnstartedServer(timedHandler(srv.Handler(), &p.requests))
	p.hs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	p.hs.Start()
	return p, nil
}

func (p *localPortal) info() portalInfo { return portalInfo{URL: p.hs.URL, ID: p.srv.ID()} }

func (p *localPortal) reset() error {
	p.requests.reset(time.Now())
	p.conns.Store(0)
	if p.ownCPU {
		p.cpu0 = procstat.Now().CPU
	}
	return nil
}

func (p *localPortal) report() (portalReport, error) {
	r := portalReport{Connections: p.conns.Load()}
	for _, s := range p.requests.taken() {
		r.Requests = append(r.Requests, s.end-s.start)
	}
	if p.ownCPU {
		r.CPU = procstat.Now().CPU - p.cpu0
	}
	return r, nil
}

func (p *localPortal) close() error {
	p.hs.Close()
	return p.srv.Close()
}

// ServePortal is a bench portal in its own process, so that its CPU is
// not the uploader's and its garbage collector does not stop the
// uploader's requests: it reads its configuration as the first line of
// in, answers its address and ID on out, then answers each line "reset"
// with {} and "report" with what it measured, until in ends.
func ServePortal(ctx context.Context, in io.Reader, out io.Writer) error {
	lines := bufio.NewScanner(in)
	if !lines.Scan() {
		return fmt.Errorf("bench portal: no configuration on standard input: %w", lines.Err())
	}
	var cfg portalConfig
	if err := json.Unmarshal(lines.Bytes(), &cfg); err != nil {
		return fmt.Errorf("bench portal: configuration: %w", err)
	}
	p, err := startLocalPortal(cfg, true)
	if err != nil {
		return fmt.Errorf("bench portal: %w", err)
	}
	defer p.close()
	enc := json.NewEncoder(out)
	if err := enc.Encode(p.info()); err != nil {
		return err
	}
	for lines.Scan() {
		var answer any
		switch cmd := lines.Text(); cmd {
		case "reset":
			answer = struct{}{}
			p.reset()
		case "report":
			answer, _ = p.report()
		default:
			return fmt.Errorf("bench portal: unknown command %q", cmd)
		}
		if err := enc.Encode(answer); err != nil {
			return err
		}
	}
	return lines.Err()
}

// remotePortal talks to ServePortal in another process (or, in tests,
// another goroutine).
type remotePortal struct {
	in   io.WriteCloser // the portal's standard input
	out  *json.Decoder  // its standard output
	inf  portalInfo
	wait func() error // waits for the portal to end, once in is closed
}

var _ benchPortal = (*remotePortal)(nil)

// startRemotePortal starts the portal cmd, which runs ServePortal.
func startRemotePortal(cmd *exec.Cmd, cfg portalConfig) (*remotePortal, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the bench portal %s: %w", cmd.Path, err)
	}
	p, err := dialRemotePortal(in, out, cmd.Wait, cfg)
	if err != nil {
		in.Close()
		cmd.Wait()
		return nil, err
	}
	return p, nil
}

func dialRemotePortal(in io.WriteCloser, out io.Reader, wait func() error, cfg portalConfig) (*remotePortal, error) {
	p := &remotePortal{in: in, out: json.NewDecoder(out), wait: wait}
	if err := json.NewEncoder(in).Encode(cfg); err != nil {
		return nil, fmt.Errorf("bench portal: send its configuration: %w", err)
	}
	if err := p.out.Decode(&p.inf); err != nil {
		return nil, fmt.Errorf("bench portal: its address: %w", err)
	}
	return p, nil
}

func (p *remotePortal) info() portalInfo { return p.inf }

func (p *remotePortal) ask(cmd string, answer any) error {
	if _, err := io.WriteString(p.in, cmd+"\n"); err != nil {
		return fmt.Errorf("bench portal %s: %w", cmd, err)
	}
	if err := p.out.Decode(answer); err != nil {
		return fmt.Errorf("bench portal %s: %w", cmd, err)
	}
	return nil
}

func (p *remotePortal) reset() error {
	var ok struct{}
	return p.ask("reset", &ok)
}

func (p *remotePortal) report() (portalReport, error) {
	var r portalReport
	err := p.ask("report", &r)
	return r, err
}

func (p *remotePortal) close() error {
	return errors.Join(p.in.Close(), p.wait())
}
