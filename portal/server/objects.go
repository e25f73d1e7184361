package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"perenos/portal"
)

// idemRecord is the first answer to a request that carried an
// Idempotency-Key, kept so that a client that lost the answer (it was
// killed, the connection dropped) gets the same answer on its retry: a
// 201 stays a 201, and the client still knows that it created the object.
type idemRecord struct {
	Request string           `json:"request"` // SHA-256 of collection, key and body
	Status  int              `json:"status"`
	Result  portal.PutResult `json:"result"`
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

func objKey(site string, kind portal.Kind, key string) []byte {
	return []byte(site + "\x00" + string(kind) + "\x00" + key)
}

func pathKey(site, path string) []byte { return []byte(site + "\x00" + path) }

// pathOf is an object's public path, or "" when it has none.
func pathOf(v portal.Object) string {
	switch o := v.(type) {
	case *portal.Page:
		return o.Path
	case *portal.Document:
		return o.Path
	case *portal.NewsItem:
		return o.Path
	}
	return ""
}

// decodeObject checks a body against its kind's schema and returns its
// canonical encoding.
func decodeObject(kind portal.Kind, body []byte) (portal.Object, []byte, error) {
	v, err := portal.NewObject(kind)
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
	if p := pathOf(v); p != "" && !portal.ValidPath(p) {
		return nil, nil, fmt.Errorf("path %q is not a public path: lowercase ASCII segments after a leading /, such as /svedeniya/dokumenty/ustav", p)
	}
	canon, err := json.Marshal(v)
	return v, canon, err
}

// fieldError is an object that lacks what the contract requires, or names
// what its site does not hold; Field is the body's field at fault.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.msg }

// refs checks that an object has what the contract requires and that what
// it names (its section, its parent, its file) exists on the same site.
func refs(tx *bolt.Tx, site string, v portal.Object) *fieldError {
	needSection := func(field, key string) *fieldError {
		if key == "" {
			return &fieldError{field, field + " is required"}
		}
		if tx.Bucket(bObjects).Get(objKey(site, portal.KindSection, key)) == nil {
			return &fieldError{field, fmt.Sprintf("%s %q names no section of site %s: put the section first", field, key, site)}
		}
		return nil
	}
	required := func(field, value string) *fieldError {
		if strings.TrimSpace(value) == "" {
			return &fieldError{field, field + " is required"}
		}
		return nil
	}
	switch o := v.(type) {
	case *portal.Section:
		if err := required("title", o.Title); err != nil {
			return err
		}
		if o.Parent != "" {
			return needSection("parent", o.Parent)
		}
	case *portal.Page:
		if err := required("title", o.Title); err != nil {
			return err
		}
		return needSection("section", o.Section)
	case *portal.NewsItem:
		if err := required("title", o.Title); err != nil {
			return err
		}
		return needSection("section", o.Section)
	case *portal.Record:
		if err := required("record_type", o.RecordType); err != nil {
			return err
		}
		return needSection("section", o.Section)
	case *portal.Document:
		if err := needSection("section", o.Section); err != nil {
			return err
		}
		if tx.Bucket(bFiles).Get(fileKey(site, o.FileSHA256)) == nil {
			return &fieldError{"file_sha256", fmt.Sprintf("file_sha256 %q names no file of site %s: put the file first", o.FileSHA256, site)}
		}
	}
	return nil
}

func objectKind(w http.ResponseWriter, r *http.Request) (portal.Kind, bool) {
	k := portal.Kind(r.PathValue("kind"))
	if !slices.Contains(portal.ObjectKinds, k) {
		writeProblem(w, http.StatusNotFound, "unknown collection", fmt.Sprintf("%q is not one of sections, pages, documents, news, records, files", k))
		return "", false
	}
	return k, true
}

func validKeyOrProblem(w http.ResponseWriter, key string) bool {
	if !portal.ValidKey(key) {
		writeProblem(w, http.StatusBadRequest, "invalid key", fmt.Sprintf("key %q must be 1-200 characters of letters, digits, '.', '_' and '-', starting with a letter or digit", key))
		return false
	}
	return true
}

// publicURL is where an object is shown: its path, or for an object
// without one its site's page.
func (s *Server) publicURL(site string, v portal.Object) string {
	if p := pathOf(v); p != "" {
		return s.cfg.BaseURL + portal.SitePath(site, p)
	}
	return s.cfg.BaseURL + portal.SitePath(site, "/")
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
	var res portal.PutResult
	var refErr *fieldError
	var reuseErr error
	// Group commit: concurrent puts share one commit (and one fsync); the
	// function may run twice, and is idempotent.
	err = s.commit(func(tx *bolt.Tx) error {
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
		if res, err = putStored(tx, site, kind, key, v, canon, time.Now().UTC()); err != nil {
			return err
		}
		res.URL = s.publicURL(site, v)
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
		writeFieldProblem(w, http.StatusUnprocessableEntity, "invalid object", refErr)
		return
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, statusOf(res), res)
}

func statusOf(res portal.PutResult) int {
	if res.Created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// putStored creates or replaces an object in the storage, keeping the ID
// of an object that already exists, and points its public path at it.
func putStored(tx *bolt.Tx, site string, kind portal.Kind, key string, v portal.Object, canon []byte, now time.Time) (portal.PutResult, error) {
	res := portal.PutResult{Key: key}
	b := tx.Bucket(bObjects)
	k := objKey(site, kind, key)
	st := stored{Created: now}
	if old := b.Get(k); old != nil {
		if err := json.Unmarshal(old, &st); err != nil {
			return res, err
		}
		if err := unlinkPath(tx, site, kind, key, st.Body); err != nil {
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
	if p := pathOf(v); p != "" {
		// The object written last holds the path.
		if err := tx.Bucket(bPaths).Put(pathKey(site, p), []byte(string(kind)+"\x00"+key)); err != nil {
			return res, err
		}
	}
	return res, b.Put(k, data)
}

// unlinkPath frees the public path an object's old body held, if it
// still points at that object.
func unlinkPath(tx *bolt.Tx, site string, kind portal.Kind, key string, body []byte) error {
	old, err := portal.DecodeObject(kind, body)
	if err != nil {
		return nil // an unreadable old body held no path
	}
	p := pathOf(old)
	if p == "" {
		return nil
	}
	if cur := tx.Bucket(bPaths).Get(pathKey(site, p)); string(cur) == string(kind)+"\x00"+key {
		return tx.Bucket(bPaths).Delete(pathKey(site, p))
	}
	return nil
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

func (s *Server) load(site string, kind portal.Kind, key string) (stored, bool, error) {
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
		old := b.Get(k)
		if old == nil {
			return nil
		}
		found = true
		var st stored
		if err := json.Unmarshal(old, &st); err != nil {
			return err
		}
		if err := unlinkPath(tx, site, kind, key, st.Body); err != nil {
			return err
		}
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
	writeJSON(w, http.StatusOK, portal.KeyList{Keys: keys})
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
