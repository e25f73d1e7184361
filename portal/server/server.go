// Package server is the reference portal: a real HTTP server that
// implements the import API contract of package portal (persistent,
// authenticated per site, rate-limited, able to inject faults) and shows
// each site's content as plain HTML at its public paths. The demo, the
// tests and the benchmarks upload to it; a client of the portal imports
// package portal only.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/time/rate"

	"perenos/portal"
)

// Faults make the reference portal misbehave like a shared national
// service does, for tests and benchmarks. Rates are fractions of API
// requests, drawn independently.
type Faults struct {
	FailRate  float64       // answered 503 with Retry-After
	ResetRate float64       // connection dropped without an answer
	SlowRate  float64       // delayed by SlowLatency before being served
	Latency   time.Duration // added to every API request
	// AnswerAfter holds every API answer until this long after its
	// request arrived, the portal's own work included: a portal whose
	// latency is AnswerAfter as long as its work takes less, where
	// Latency adds its delay to the work. Benchmarks use it to measure a
	// client against a portal answering in a known time, which the work
	// of an in-process portal, sharing the client's CPU, would otherwise
	// stretch. A request the client gives up on meanwhile is still done.
	AnswerAfter time.Duration
	SlowLatency time.Duration // delay of the slow requests (default 5s)
	RetryAfter  time.Duration // Retry-After of injected 503s (default 1s)
}

// Config sets up a reference portal.
type Config struct {
	DataFile      string            // the portal's bbolt file; files are kept beside it
	Tokens        map[string]string // site ID → bearer token
	BaseURL       string            // public base URL, for the URLs in answers
	Name          string            // what GET /api/v1/portal calls this portal
	RatePerSecond float64           // requests per second per token; 0 means unlimited
	Burst         int               // requests allowed at once above the rate (default 20)
	MaxObjectSize int64             // largest JSON object accepted (default 1 MiB)
	MaxFileSize   int64             // largest file accepted (default 200 MiB)
	// MaxBundleSize caps a bundle as a whole: the bytes sent, and again
	// everything it holds once unpacked (default four times MaxFileSize).
	MaxBundleSize int64
	// NoSync skips fsync on commits: for benchmarks that measure the
	// uploader rather than this server's disk. Never for data you keep.
	NoSync bool
	Faults Faults
}

// Server is the reference portal: the import API under /api/v1/ and every
// site's content rendered as plain HTML under /sites/{site}/.
type Server struct {
	mu       sync.RWMutex // guards cfg.Faults and cfg.RatePerSecond
	cfg      Config
	db       *bolt.DB
	commits  committer // the API's writes, in group commits
	id       string
	fileDir  string
	files    fileLocks
	limiters sync.Map // token → *rate.Limiter
	rnd      func() float64
}

var (
	bObjects = []byte("objects")
	bFiles   = []byte("files")
	bIdem    = []byte("idempotency")
	bPaths   = []byte("paths")
	bMeta    = []byte("meta")
	keyID    = []byte("portal_id")
)

// NewServer opens (creating if needed) the portal's storage. A new storage
// draws the portal's ID, which it keeps for good.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Burst <= 0 {
		cfg.Burst = 20
	}
	if cfg.MaxObjectSize <= 0 {
		cfg.MaxObjectSize = 1 << 20
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = 200 << 20
	}
	if cfg.MaxBundleSize <= 0 {
		cfg.MaxBundleSize = 4 * cfg.MaxFileSize
	}
	if cfg.Faults.SlowLatency <= 0 {
		cfg.Faults.SlowLatency = 5 * time.Second
	}
	if cfg.Faults.RetryAfter <= 0 {
		cfg.Faults.RetryAfter = time.Second
	}
	for site, tok := range cfg.Tokens {
		if !portal.ValidKey(site) || tok == "" {
			return nil, fmt.Errorf("portal: token of site %q: invalid site ID or empty token", site)
		}
	}
	dir := filepath.Dir(cfg.DataFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("portal storage %s: %w", dir, err)
	}
	db, err := bolt.Open(cfg.DataFile, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("portal storage %s is held by another process", cfg.DataFile)
		}
		return nil, fmt.Errorf("portal storage %s: %w", cfg.DataFile, err)
	}
	db.NoSync = cfg.NoSync
	var id string
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bObjects, bFiles, bIdem, bPaths, bMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		if v := meta.Get(keyID); v != nil {
			id = string(v)
			return nil
		}
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		id = "ref-" + hex.EncodeToString(b)
		return meta.Put(keyID, []byte(id))
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("portal storage %s: %w", cfg.DataFile, err)
	}
	s := &Server{cfg: cfg, db: db, commits: committer{db: db}, id: id, fileDir: filepath.Join(dir, "files"), rnd: mrand.Float64}
	if err := os.MkdirAll(s.fileDir, 0o700); err != nil {
		db.Close()
		return nil, fmt.Errorf("portal storage %s: %w", s.fileDir, err)
	}
	return s, nil
}

// commit runs one write, sharing its transaction (and, with fsync on,
// its fsync) with the writes that arrive while another commit is under
// way; fn may run twice, so it must be idempotent.
func (s *Server) commit(fn func(*bolt.Tx) error) error {
	return s.commits.do(fn)
}

// ID is the portal's identity, as GET /api/v1/portal reports it.
func (s *Server) ID() string { return s.id }

// SetFaults changes the fault injection and the rate limit of a running
// portal, for tests that heal it after a chaos phase.
func (s *Server) SetFaults(f Faults, ratePerSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.SlowLatency <= 0 {
		f.SlowLatency = s.cfg.Faults.SlowLatency
	}
	if f.RetryAfter <= 0 {
		f.RetryAfter = s.cfg.Faults.RetryAfter
	}
	s.cfg.Faults, s.cfg.RatePerSecond = f, ratePerSecond
	s.limiters.Range(func(_, v any) bool {
		v.(*rate.Limiter).SetLimit(limitOf(ratePerSecond))
		return true
	})
}

// Close closes the storage.
func (s *Server) Close() error { return s.db.Close() }

// Counts says how many objects and files a site holds, and how many
// objects were ever created on this portal: since a replace keeps the
// object and only a create draws a new ID, tests compare the two to prove
// that nothing was created twice.
func (s *Server) Counts(site string) (objects, files int, created uint64, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(site + "\x00")
		c := tx.Bucket(bObjects).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			objects++
		}
		c = tx.Bucket(bFiles).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			files++
		}
		created = tx.Bucket(bObjects).Sequence()
		return nil
	})
	return objects, files, created, err
}

// Handler serves the API and the public pages.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.apiMiddleware(h)) }
	mux.Handle("GET /api/v1/portal", s.faultMiddleware(http.HandlerFunc(s.info)))
	api("PUT /api/v1/sites/{site}/files/{sha}", s.putFile)
	api("GET /api/v1/sites/{site}/files/{sha}", s.getFile)
	api("DELETE /api/v1/sites/{site}/files/{sha}", s.deleteFile)
	api("GET /api/v1/sites/{site}/files", s.listFiles)
	api("GET /api/v1/sites/{site}", s.siteTree)
	api("POST /api/v1/sites/{site}/bundle", s.importBundle)
	api("PUT /api/v1/sites/{site}/{kind}/{key}", s.putObject)
	api("GET /api/v1/sites/{site}/{kind}/{key}", s.getObject)
	api("DELETE /api/v1/sites/{site}/{kind}/{key}", s.deleteObject)
	api("GET /api/v1/sites/{site}/{kind}", s.listObjects)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /sites/{site}/files/{sha}/{name}", s.publicFile)
	mux.HandleFunc("GET /sites/{site}/{path...}", s.publicPath)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "no such API route", r.Method+" "+r.URL.Path+" is not part of the import API (see portal/openapi.yaml)")
	})
	return mux
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, portal.Info{ID: s.id, Name: s.cfg.Name, PublicURL: s.cfg.BaseURL})
}

// faultMiddleware injects the configured latency and faults.
func (s *Server) faultMiddleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		f := s.cfg.Faults
		s.mu.RUnlock()
		raw := w // the connection's own writer, for dropping it
		if f.AnswerAfter > 0 {
			hw := &heldWriter{ResponseWriter: w, r: r, until: time.Now().Add(f.AnswerAfter)}
			defer hw.hold()
			w = hw
		}
		if f.Latency > 0 && !sleepCtx(r, f.Latency) {
			return
		}
		if f.SlowRate > 0 && s.rnd() < f.SlowRate && !sleepCtx(r, f.SlowLatency) {
			return
		}
		if f.ResetRate > 0 && s.rnd() < f.ResetRate {
			if hj, ok := raw.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
		}
		if f.FailRate > 0 && s.rnd() < f.FailRate {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(f.RetryAfter/time.Second))))
			writeProblem(w, http.StatusServiceUnavailable, "temporarily unavailable", "injected fault; retry after the delay")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// heldWriter holds a response until its time: the first write of the
// answer (or the handler's end, for an answer with nothing written) waits
// until then.
type heldWriter struct {
	http.ResponseWriter
	r     *http.Request
	until time.Time
	held  bool
}

// hold waits, once, until the answer's time or until the client gives up.
func (h *heldWriter) hold() {
	if h.held {
		return
	}
	h.held = true
	if d := time.Until(h.until); d > 0 {
		sleepCtx(h.r, d)
	}
}

func (h *heldWriter) WriteHeader(code int) {
	if code >= 200 { // 1xx (100 Continue) goes at once: the client waits for it to send the body
		h.hold()
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.hold()
	return h.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (h *heldWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// apiMiddleware applies faults, authentication and rate limits.
func (s *Server) apiMiddleware(h http.HandlerFunc) http.Handler {
	return s.faultMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site := r.PathValue("site")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="portal"`)
			writeProblem(w, http.StatusUnauthorized, "missing bearer token", "send Authorization: Bearer <the site's token>")
			return
		}
		want, known := s.cfg.Tokens[site]
		if !known || subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
			if !s.anyToken(tok) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="portal", error="invalid_token"`)
				writeProblem(w, http.StatusUnauthorized, "unknown token", "the bearer token belongs to no site")
				return
			}
			writeProblem(w, http.StatusForbidden, "token not valid for this site", "a site's token can read and write only that site: "+site)
			return
		}
		if wait, perSecond := s.limit(tok); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			writeProblem(w, http.StatusTooManyRequests, "rate limit exceeded", fmt.Sprintf("at most %g requests a second per token", perSecond))
			return
		}
		h(w, r)
	}))
}

func (s *Server) anyToken(tok string) bool {
	found := 0
	for _, t := range s.cfg.Tokens {
		found |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
	}
	return found == 1
}

// sleepCtx waits d, or until the client gives up on r (false).
func sleepCtx(r *http.Request, d time.Duration) bool { return sleep(r.Context(), d) }

// sleepTimer waits d on a Go timer, or until ctx is done (false).
func sleepTimer(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func limitOf(perSecond float64) rate.Limit {
	if perSecond <= 0 {
		return rate.Inf
	}
	return rate.Limit(perSecond)
}

// limit takes one request from tok's limiter, or says how long to wait
// under which rate. A refused request takes nothing.
func (s *Server) limit(tok string) (time.Duration, float64) {
	s.mu.RLock()
	perSecond := s.cfg.RatePerSecond
	s.mu.RUnlock()
	if perSecond <= 0 {
		return 0, 0
	}
	v, ok := s.limiters.Load(tok)
	if !ok {
		v, _ = s.limiters.LoadOrStore(tok, rate.NewLimiter(limitOf(perSecond), s.cfg.Burst))
	}
	res := v.(*rate.Limiter).Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		if d == rate.InfDuration {
			d = time.Duration(math.MaxInt32) * time.Second
		}
		return d, perSecond
	}
	return 0, perSecond
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(portal.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail})
}

// writeFieldProblem answers a problem with one field of the body, naming it.
func writeFieldProblem(w http.ResponseWriter, status int, title string, fe *fieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(portal.Problem{Type: "about:blank", Title: title, Status: status, Detail: fe.msg, Field: fe.field})
}
