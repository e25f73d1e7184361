package portal

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Faults make the reference portal misbehave like a shared national
// service does, for tests and benchmarks. Rates are fractions of API
// requests, drawn independently.
type Faults struct {
	FailRate    float64       // answered 503 with Retry-After
	ResetRate   float64       // connection dropped without an answer
	SlowRate    float64       // delayed by SlowLatency before being served
	Latency     time.Duration // added to every API request
	SlowLatency time.Duration // delay of the slow requests (default 5s)
	RetryAfter  time.Duration // Retry-After of injected 503s (default 1s)
}

// Config sets up a reference portal.
type Config struct {
	DataFile      string            // the portal's bbolt file; files are kept beside it
	Tokens        map[string]string // site ID → bearer token
	BaseURL       string            // public base URL, for the URLs in answers
	RatePerSecond float64           // requests per second per token; 0 means unlimited
	Burst         int               // requests allowed at once above the rate (default 20)
	MaxObjectSize int64             // largest JSON object accepted (default 1 MiB)
	MaxFileSize   int64             // largest file accepted (default 200 MiB)
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
	fileDir  string
	limiters sync.Map // token → *bucket
	rnd      func() float64
}

var (
	bObjects = []byte("objects")
	bFiles   = []byte("files")
	bIdem    = []byte("idempotency")
)

// idemRecord is the first answer to a request that carried an
// Idempotency-Key, kept so that a client that lost the answer (it was
// killed, the connection dropped) gets the same answer on its retry: a
// 201 stays a 201, and the client still knows that it created the object.
type idemRecord struct {
	Request string    `json:"request"` // SHA-256 of collection, key and body
	Status  int       `json:"status"`
	Result  PutResult `json:"result"`
}

func idemKey(site, key string) []byte { return []byte(site + "\x00" + key) }

// idempotencyKey reads the optional Idempotency-Key header.
func idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	k := r.Header.Get("Idempotency-Key")
	if len(k) > 200 || strings.ContainsFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		writeProblem(w, http.StatusBadRequest, "invalid Idempotency-Key", "at most 200 printable ASCII characters")
		return "", false
	}
	return k, true
}

func requestSum(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stored is how an object sits in the portal's storage.
type stored struct {
	ID      string          `json:"id"`
	Body    json.RawMessage `json:"body"`
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
}

// fileMeta records that a site holds a file.
type fileMeta struct {
	Size    int64     `json:"size"`
	Created time.Time `json:"created"`
}

// NewServer opens (creating if needed) the portal's storage.
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
	if cfg.Faults.SlowLatency <= 0 {
		cfg.Faults.SlowLatency = 5 * time.Second
	}
	if cfg.Faults.RetryAfter <= 0 {
		cfg.Faults.RetryAfter = time.Second
	}
	for site, tok := range cfg.Tokens {
		if !ValidKey(site) || tok == "" {
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
	db.MaxBatchDelay = time.Millisecond // a server's concurrent puts share commits without waiting long
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bObjects, bFiles, bIdem} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("portal storage %s: %w", cfg.DataFile, err)
	}
	s := &Server{cfg: cfg, db: db, fileDir: filepath.Join(dir, "files"), rnd: rand.Float64}
	if err := os.MkdirAll(s.fileDir, 0o700); err != nil {
		db.Close()
		return nil, fmt.Errorf("portal storage %s: %w", s.fileDir, err)
	}
	return s, nil
}

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
	mux.HandleFunc("GET /sites/{site}/{$}", s.renderSite)
	mux.HandleFunc("GET /sites/{site}/files/{sha}/{name}", s.publicFile)
	mux.HandleFunc("GET /sites/{site}/{kind}/{key}", s.renderObject)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "no such API route", r.Method+" "+r.URL.Path+" is not part of the import API (see portal/openapi.yaml)")
	})
	return mux
}

// apiMiddleware applies faults, authentication and rate limits.
func (s *Server) apiMiddleware(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		f := s.cfg.Faults
		s.mu.RUnlock()
		if f.Latency > 0 && !sleepCtx(r, f.Latency) {
			return
		}
		if f.SlowRate > 0 && s.rnd() < f.SlowRate && !sleepCtx(r, f.SlowLatency) {
			return
		}
		if f.ResetRate > 0 && s.rnd() < f.ResetRate {
			if hj, ok := w.(http.Hijacker); ok {
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
		if wait, rate := s.limit(tok); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			writeProblem(w, http.StatusTooManyRequests, "rate limit exceeded", fmt.Sprintf("at most %g requests a second per token", rate))
			return
		}
		h(w, r)
	})
}

func (s *Server) anyToken(tok string) bool {
	found := 0
	for _, t := range s.cfg.Tokens {
		found |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
	}
	return found == 1
}

func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// bucket is a token bucket for one token's requests.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// limit takes one request from tok's bucket, or says how long to wait
// under which rate.
func (s *Server) limit(tok string) (time.Duration, float64) {
	s.mu.RLock()
	rate := s.cfg.RatePerSecond
	s.mu.RUnlock()
	if rate <= 0 {
		return 0, 0
	}
	v, _ := s.limiters.LoadOrStore(tok, &bucket{tokens: float64(s.cfg.Burst), last: time.Now()})
	b := v.(*bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(float64(s.cfg.Burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, rate
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second)), rate
}

func objKey(site string, kind Kind, key string) []byte {
	return []byte(site + "\x00" + string(kind) + "\x00" + key)
}

func fileKey(site, sha string) []byte { return []byte(site + "\x00" + sha) }

// decodeObject checks a body against its kind's schema and returns its
// canonical encoding.
func decodeObject(kind Kind, body []byte) (any, []byte, error) {
	v, err := NewObject(kind)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, nil, fmt.Errorf("body is not a valid %s object: %w", strings.TrimSuffix(string(kind), "s"), err)
	}
	if dec.More() {
		return nil, nil, errors.New("body holds more than one JSON value")
	}
	canon, err := json.Marshal(v)
	return v, canon, err
}

// refs checks that what an object names (its section, its parent, its
// file) exists on the same site.
func refs(tx *bolt.Tx, site string, v any) error {
	needSection := func(field, key string) error {
		if key == "" {
			return fmt.Errorf("%s is required", field)
		}
		if tx.Bucket(bObjects).Get(objKey(site, KindSection, key)) == nil {
			return fmt.Errorf("%s %q names no section of site %s: put the section first", field, key, site)
		}
		return nil
	}
	switch o := v.(type) {
	case *Section:
		if o.Title == "" {
			return errors.New("title is required")
		}
		if o.Parent != "" {
			return needSection("parent", o.Parent)
		}
	case *Page:
		if o.Title == "" {
			return errors.New("title is required")
		}
		return needSection("section", o.Section)
	case *NewsItem:
		if o.Title == "" {
			return errors.New("title is required")
		}
		return needSection("section", o.Section)
	case *Record:
		if o.RecordType == "" {
			return errors.New("record_type is required")
		}
		return needSection("section", o.Section)
	case *Document:
		if err := needSection("section", o.Section); err != nil {
			return err
		}
		if tx.Bucket(bFiles).Get(fileKey(site, o.FileSHA256)) == nil {
			return fmt.Errorf("file_sha256 %q names no file of site %s: put the file first", o.FileSHA256, site)
		}
	}
	return nil
}

func objectKind(w http.ResponseWriter, r *http.Request) (Kind, bool) {
	k := Kind(r.PathValue("kind"))
	if !slices.Contains(ObjectKinds, k) {
		writeProblem(w, http.StatusNotFound, "unknown collection", fmt.Sprintf("%q is not one of sections, pages, documents, news, records, files", k))
		return "", false
	}
	return k, true
}

func validKeyOrProblem(w http.ResponseWriter, key string) bool {
	if !ValidKey(key) {
		writeProblem(w, http.StatusBadRequest, "invalid key", fmt.Sprintf("key %q must be 1-200 characters of letters, digits, '.', '_' and '-', starting with a letter or digit", key))
		return false
	}
	return true
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request) {
	site, key := r.PathValue("site"), r.PathValue("key")
	kind, ok := objectKind(w, r)
	if !ok || !validKeyOrProblem(w, key) {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeProblem(w, http.StatusUnsupportedMediaType, "unsupported media type", "objects are sent as application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxObjectSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "object too large", fmt.Sprintf("objects are limited to %d bytes", s.cfg.MaxObjectSize))
			return
		}
		writeProblem(w, http.StatusBadRequest, "unreadable body", err.Error())
		return
	}
	v, canon, err := decodeObject(kind, body)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "invalid object", err.Error())
		return
	}
	ik, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	sum := requestSum(string(kind), key, string(canon))
	var res PutResult
	var refErr, reuseErr error
	// Batch: concurrent puts share one commit (and one fsync); the
	// function may run twice, and is idempotent.
	err = s.db.Batch(func(tx *bolt.Tx) error {
		refErr, reuseErr = nil, nil
		if ik != "" {
			if raw := tx.Bucket(bIdem).Get(idemKey(site, ik)); raw != nil {
				var rec idemRecord
				if err := json.Unmarshal(raw, &rec); err != nil {
					return err
				}
				if rec.Request != sum {
					reuseErr = fmt.Errorf("Idempotency-Key %q was first sent with another collection, key or body", ik)
					return nil
				}
				// Replay only while the object is still as that request left it.
				var st stored
				if cur := tx.Bucket(bObjects).Get(objKey(site, kind, key)); cur != nil && json.Unmarshal(cur, &st) == nil && bytes.Equal(st.Body, canon) && st.ID == rec.Result.ID {
					res = rec.Result
					return nil
				}
			}
		}
		if refErr = refs(tx, site, v); refErr != nil {
			return nil
		}
		var err error
		if res, err = putStored(tx, site, kind, key, canon, time.Now().UTC()); err != nil {
			return err
		}
		if ik == "" {
			return nil
		}
		data, err := json.Marshal(idemRecord{Request: sum, Status: statusOf(res), Result: res})
		if err != nil {
			return err
		}
		return tx.Bucket(bIdem).Put(idemKey(site, ik), data)
	})
	switch {
	case reuseErr != nil:
		writeProblem(w, http.StatusUnprocessableEntity, "Idempotency-Key reused", reuseErr.Error())
		return
	case refErr != nil:
		writeProblem(w, http.StatusUnprocessableEntity, "invalid reference", refErr.Error())
		return
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	res.Key, res.URL = key, s.cfg.BaseURL+PublicPath(site, kind, key)
	writeJSON(w, statusOf(res), res)
}

func statusOf(res PutResult) int {
	if res.Created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// putStored creates or replaces an object in the storage, keeping the ID
// of an object that already exists.
func putStored(tx *bolt.Tx, site string, kind Kind, key string, canon []byte, now time.Time) (PutResult, error) {
	res := PutResult{Key: key}
	b := tx.Bucket(bObjects)
	k := objKey(site, kind, key)
	st := stored{Created: now}
	if old := b.Get(k); old != nil {
		if err := json.Unmarshal(old, &st); err != nil {
			return res, err
		}
	} else {
		seq, err := b.NextSequence()
		if err != nil {
			return res, err
		}
		st.ID = strconv.FormatUint(seq, 10)
		res.Created = true
	}
	st.Body, st.Updated = canon, now
	data, err := json.Marshal(st)
	if err != nil {
		return res, err
	}
	res.ID = st.ID
	return res, b.Put(k, data)
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) {
	site, key := r.PathValue("site"), r.PathValue("key")
	kind, ok := objectKind(w, r)
	if !ok || !validKeyOrProblem(w, key) {
		return
	}
	st, found, err := s.load(site, kind, key)
	switch {
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
	case !found:
		writeProblem(w, http.StatusNotFound, "no such object", fmt.Sprintf("site %s holds no %s with key %s", site, kind, key))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Write(st.Body)
	}
}

func (s *Server) load(site string, kind Kind, key string) (stored, bool, error) {
	var st stored
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bObjects).Get(objKey(site, kind, key))
		if data == nil {
			return nil
		}
		found = true
		return json.Unmarshal(data, &st)
	})
	return st, found, err
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request) {
	site, key := r.PathValue("site"), r.PathValue("key")
	kind, ok := objectKind(w, r)
	if !ok || !validKeyOrProblem(w, key) {
		return
	}
	var found bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bObjects)
		k := objKey(site, kind, key)
		if b.Get(k) == nil {
			return nil
		}
		found = true
		return b.Delete(k)
	})
	switch {
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
	case !found:
		writeProblem(w, http.StatusNotFound, "no such object", fmt.Sprintf("site %s holds no %s with key %s", site, kind, key))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// KeyList is the answer of a collection listing.
type KeyList struct {
	Keys []string `json:"keys"`
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	kind, ok := objectKind(w, r)
	if !ok {
		return
	}
	keys, err := s.keys(site, bObjects, string(kind)+"\x00")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, KeyList{Keys: keys})
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	keys, err := s.keys(r.PathValue("site"), bFiles, "")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, KeyList{Keys: keys})
}

func (s *Server) keys(site string, bucketName []byte, sub string) ([]string, error) {
	keys := []string{}
	prefix := []byte(site + "\x00" + sub)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketName).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, string(k[len(prefix):]))
		}
		return nil
	})
	return keys, err
}

func validSHA(w http.ResponseWriter, sha string) bool {
	if len(sha) != 64 || strings.ToLower(sha) != sha {
		writeProblem(w, http.StatusBadRequest, "invalid file address", "files are addressed by the lowercase hex SHA-256 of their bytes")
		return false
	}
	if _, err := hex.DecodeString(sha); err != nil {
		writeProblem(w, http.StatusBadRequest, "invalid file address", "files are addressed by the lowercase hex SHA-256 of their bytes")
		return false
	}
	return true
}

func (s *Server) filePath(sha string) string { return filepath.Join(s.fileDir, sha[:2], sha) }

func (s *Server) putFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHA(w, sha) {
		return
	}
	ik, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	sum := requestSum(string(KindFile), sha)
	res := PutResult{ID: sha, Key: sha, URL: s.cfg.BaseURL + FilePath(site, sha, "file")}
	var have bool
	var rec idemRecord
	s.db.View(func(tx *bolt.Tx) error {
		have = tx.Bucket(bFiles).Get(fileKey(site, sha)) != nil
		if raw := tx.Bucket(bIdem).Get(idemKey(site, ik)); ik != "" && raw != nil {
			json.Unmarshal(raw, &rec)
		}
		return nil
	})
	if rec.Request != "" && rec.Request != sum {
		writeProblem(w, http.StatusUnprocessableEntity, "Idempotency-Key reused", fmt.Sprintf("Idempotency-Key %q was first sent for another file", ik))
		return
	}
	if have {
		// The body is not read, so a client that sent Expect: 100-continue
		// never sends the bytes again. A retry of the request that stored
		// the file gets that request's answer.
		if rec.Request == sum {
			writeJSON(w, rec.Status, rec.Result)
			return
		}
		s.recordIdem(site, ik, idemRecord{Request: sum, Status: http.StatusOK, Result: res})
		writeJSON(w, http.StatusOK, res)
		return
	}
	size, err := s.storeFile(w, r, sha)
	if err != nil {
		return // storeFile wrote the problem
	}
	res.Created = true
	err = s.db.Batch(func(tx *bolt.Tx) error {
		data, _ := json.Marshal(fileMeta{Size: size, Created: time.Now().UTC()})
		if err := tx.Bucket(bFiles).Put(fileKey(site, sha), data); err != nil {
			return err
		}
		if ik == "" {
			return nil
		}
		data, _ = json.Marshal(idemRecord{Request: sum, Status: http.StatusCreated, Result: res})
		return tx.Bucket(bIdem).Put(idemKey(site, ik), data)
	})
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

// recordIdem keeps the answer to an idempotent request; failing to keep it
// only loses the replay, not the write, so it is logged nowhere.
func (s *Server) recordIdem(site, ik string, rec idemRecord) {
	if ik == "" {
		return
	}
	data, _ := json.Marshal(rec)
	s.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(bIdem).Put(idemKey(site, ik), data) })
}

// storeFile streams the body to disk, checking its size and hash; the file
// appears under its name only once both are right.
func (s *Server) storeFile(w http.ResponseWriter, r *http.Request, sha string) (int64, error) {
	final := s.filePath(sha)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), "upload-*")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), http.MaxBytesReader(w, r.Body, s.cfg.MaxFileSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "file too large", fmt.Sprintf("files are limited to %d bytes", s.cfg.MaxFileSize))
		} else {
			writeProblem(w, http.StatusBadRequest, "unreadable body", err.Error())
		}
		return 0, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		err := fmt.Errorf("the body's SHA-256 is %s, not %s", got, sha)
		writeProblem(w, http.StatusUnprocessableEntity, "hash mismatch", err.Error())
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return 0, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return 0, err
	}
	return n, nil
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHA(w, sha) {
		return
	}
	s.serveFile(w, r, site, sha, "application/octet-stream")
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, site, sha, ctype string) {
	var have bool
	s.db.View(func(tx *bolt.Tx) error {
		have = tx.Bucket(bFiles).Get(fileKey(site, sha)) != nil
		return nil
	})
	if !have {
		writeProblem(w, http.StatusNotFound, "no such file", fmt.Sprintf("site %s holds no file %s", site, sha))
		return
	}
	f, err := os.Open(s.filePath(sha))
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox") // legacy files must not script the portal
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHA(w, sha) {
		return
	}
	var found bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bFiles)
		if b.Get(fileKey(site, sha)) == nil {
			return nil
		}
		found = true
		return b.Delete(fileKey(site, sha))
	})
	switch {
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
	case !found:
		writeProblem(w, http.StatusNotFound, "no such file", fmt.Sprintf("site %s holds no file %s", site, sha))
	default:
		// The bytes stay on disk: another site may hold the same file.
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: title, Status: status, Detail: detail})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
