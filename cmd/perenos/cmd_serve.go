package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/report"
	"perenos/review"
	"perenos/review/ledger"
	"perenos/store"
)

// serveOptions are the flags of perenos serve.
type serveOptions struct {
	Addr          string
	PublicURL     string
	TLSCert       string
	TLSKey        string
	BehindProxy   bool
	Profiles      string
	SitesParallel int
	Roadmap       string
	portal        portalOptions
	crawl         crawlOptions
}

func (o *serveOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.PublicURL, "public-url", "", "address people reach the server at, written into invitation links (default http(s)://ADDR)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	f.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.BoolVar(&o.BehindProxy, "behind-proxy", false, "a reverse proxy terminates TLS in front: trust its X-Forwarded-For")
	f.StringVar(&o.Profiles, "profiles", "", "folder of profile files overriding the built-in mandated structures")
	f.IntVar(&o.SitesParallel, "sites-parallel", 8, "sites worked on at once by jobs started from the web UI")
	f.StringVar(&o.Roadmap, "roadmap", "", "roadmap the operator's report at /report compares with: a built-in one or a YAML file")
	o.portal.addFlags(f)
	o.crawl.addFlags(f)
}

func newServeCommand(g *globalOptions) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the review web UI and the batch jobs started from it",
		Long: `Run the web UI in which organisation admins review and approve their site's plan and the
operator watches every site of the region and starts batch stages. The process holds the
workspace; while it runs, stage commands (crawl, extract, map, approve, upload, ...) typed in
another terminal hand their job to it over an owner-only socket in the workspace folder and
show its progress.

Operators log in with a password set by perenos users add; admins enter through a link from
perenos invite.

EXIT STATUS
  0   stopped by a signal
  1   error
  11  the workspace is locked by another perenos process`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), &o, g)
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// socketPath is where a running perenos serve takes stage jobs.
func socketPath(home string) string { return filepath.Join(home, "serve.sock") }

func runServe(ctx context.Context, o *serveOptions, g *globalOptions) error {
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return &usageError{"--tls-cert and --tls-key go together"}
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	public := o.PublicURL
	if public == "" {
		public = scheme + "://" + o.Addr
	}
	pu, err := url.Parse(public)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return &usageError{fmt.Sprintf("--public-url %q: want an http:// or https:// address", public)}
	}
	if host, _, err := net.SplitHostPort(o.Addr); err == nil && scheme == "http" && !o.BehindProxy {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			g.log.Warn("serving plain HTTP beyond loopback: passwords and invitation links travel unencrypted; use --tls-cert/--tls-key or --behind-proxy")
		}
	}
	ws, unlock, err := openWorkspace(ctx, g, "serve")
	if err != nil {
		return err
	}
	defer unlock()
	profiles, err := mapping.LoadProfiles(o.Profiles)
	if err != nil {
		return err
	}
	crawlOpts := o.crawl.crawler()
	shared := &serveRunner{g: crawler.NewGates()}
	src := &ledger.Source{WS: ws, Profiles: profiles, Log: g.log, Crawl: crawlOpts, SitesParallel: o.SitesParallel, Gates: shared.g}
	if o.portal.URL != "" {
		src.Target = o.portal.target
	}
	var rm *report.Roadmap
	if o.Roadmap != "" {
		if rm, err = report.LoadRoadmap(o.Roadmap); err != nil {
			return err
		}
	}
	srv, err := review.NewServer(ctx, review.Config{WS: ws, Backend: src, PublicURL: public, SecureCookies: pu.Scheme == "https",
		BehindProxy: o.BehindProxy, Log: g.log, Report: report.Handler(ws, rm)})
	if err != nil {
		return err
	}
	if n, err := ws.PruneSessions(ws.Now()); err == nil && n > 0 {
		g.log.Info("expired sessions removed", "count", n)
	}
	if users, _ := ws.Users(); len(users) == 0 {
		fmt.Fprintln(g.errOut, "no operator account yet: add one with perenos users add NAME")
	}

	sock, err := listenJobs(ws.Dir)
	if err != nil {
		return err
	}
	var handed sync.WaitGroup
	defer func() { // the workspace closes only after every job using it has stopped
		sock.Close()
		handed.Wait()
		srv.Wait()
	}()
	handed.Go(func() { serveJobs(ctx, sock, ws, shared, g, &handed) })

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: nil}
	errc := make(chan error, 1)
	go func() {
		if o.TLSCert != "" {
			errc <- hs.ServeTLS(ln, o.TLSCert, o.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	fmt.Fprintf(g.out, "review UI at %s (listening on %s); stage commands hand their jobs over %s\n", public, ln.Addr(), socketPath(ws.Dir))
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}

// listenJobs opens the owner-only socket on which stage commands hand
// their jobs to this process.
func listenJobs(home string) (net.Listener, error) {
	path := socketPath(home)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another perenos serve already answers on %s", path)
	}
	_ = os.Remove(path) // left by a killed server; the ledger lock is ours, so no one else uses it
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("job socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("job socket %s: %w", path, err)
	}
	return ln, nil
}

// jobRequest is what a stage command sends: its command line.
type jobRequest struct {
	Args []string `json:"args"`
}

// jobFrame is one message back: output, or the final status.
type jobFrame struct {
	Out   string `json:"out,omitempty"`
	Err   string `json:"err,omitempty"`
	Done  bool   `json:"done,omitempty"`
	Exit  int    `json:"exit,omitempty"`
	Error string `json:"error,omitempty"`
}

type sharedWorkspaceKey struct{}
type sharedRunnerKey struct{}

// sharedWorkspace is the workspace a job handed to perenos serve runs on.
func sharedWorkspace(ctx context.Context) *store.Workspace {
	ws, _ := ctx.Value(sharedWorkspaceKey{}).(*store.Workspace)
	return ws
}

// sharedRunner is what a job handed to perenos serve shares with the
// server's other jobs.
func sharedRunner(ctx context.Context) *serveRunner {
	r, _ := ctx.Value(sharedRunnerKey{}).(*serveRunner)
	return r
}

func serveJobs(ctx context.Context, ln net.Listener, ws *store.Workspace, shared *serveRunner, g *globalOptions, wg *sync.WaitGroup) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer c.Close()
			if err := runHandedJob(ctx, c.(*net.UnixConn), ws, shared); err != nil {
				g.log.Warn("handed-over job", "err", err)
			}
		})
	}
}

// frameWriter sends what a command prints as frames of one stream.
type frameWriter struct {
	mu    *sync.Mutex
	enc   *json.Encoder
	isErr bool
}

func (w frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := jobFrame{Out: string(p)}
	if w.isErr {
		f = jobFrame{Err: string(p)}
	}
	if err := w.enc.Encode(f); err != nil {
		return 0, err
	}
	return len(p), nil
}

func runHandedJob(ctx context.Context, c *net.UnixConn, ws *store.Workspace, shared *serveRunner) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) { cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil || cerr != nil {
		return fmt.Errorf("peer credentials: %v %v", err, cerr)
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("refused a job from uid %d: only the workspace's owner may hand jobs over", cred.Uid)
	}
	r := bufio.NewReader(c)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read job: %w", err)
	}
	var req jobRequest
	if err := json.Unmarshal(line, &req); err != nil || len(req.Args) == 0 {
		return fmt.Errorf("malformed job request")
	}
	jctx, cancel := context.WithCancel(context.WithValue(context.WithValue(ctx, sharedWorkspaceKey{}, ws), sharedRunnerKey{}, shared))
	defer cancel()
	go func() { // the client hung up (Ctrl-C): stop the job
		_, _ = io.Copy(io.Discard, r)
		cancel()
	}()
	mu := &sync.Mutex{}
	enc := json.NewEncoder(c)
	root := newRootCommand()
	root.SetArgs(req.Args)
	root.SetOut(frameWriter{mu, enc, false})
	root.SetErr(frameWriter{mu, enc, true})
	err = root.ExecuteContext(jctx)
	done := jobFrame{Done: true, Exit: exitCode(err)}
	if err != nil {
		done.Error = message(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return enc.Encode(done)
}

// handOffArgs is the command line handed to a running perenos serve.
var handOffArgs = func() []string { return os.Args[1:] }

// handOff gives the command to the perenos serve that holds the workspace
// and relays its output. It reports false when no server answers.
func handOff(ctx context.Context, g *globalOptions) (bool, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socketPath(g.Home))
	if err != nil {
		return false, nil
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := json.NewEncoder(c).Encode(jobRequest{Args: handOffArgs()}); err != nil {
		return true, fmt.Errorf("hand the job to perenos serve: %w", err)
	}
	fmt.Fprintf(g.errOut, "the workspace is held by perenos serve: the job runs there (%s)\n", socketPath(g.Home))
	dec := json.NewDecoder(c)
	for {
		var f jobFrame
		if err := dec.Decode(&f); err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			return true, fmt.Errorf("perenos serve stopped answering before the job finished: %w", err)
		}
		switch {
		case f.Done:
			return true, handedError(f)
		case f.Err != "":
			io.WriteString(g.errOut, f.Err)
		default:
			io.WriteString(g.out, f.Out)
		}
	}
}

// handedError rebuilds a handed job's outcome so that the exit code matches.
func handedError(f jobFrame) error {
	switch {
	case f.Exit == ExitOK:
		return nil
	case f.Exit == ExitPartial:
		return fmt.Errorf("%w: %s", pipeline.ErrSomeFailed, strings.TrimPrefix(f.Error, pipeline.ErrSomeFailed.Error()+": "))
	case f.Exit == ExitLocked:
		return fmt.Errorf("%s: %w", f.Error, store.ErrLocked)
	}
	return errors.New(f.Error)
}
