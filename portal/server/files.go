package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"perenos/portal"
)

// Files are kept once on disk under their SHA-256, whichever sites hold
// them; a site holds a file (may read it, may name it in a document) only
// once it has sent bytes that hash to the name. The bytes a site sends are
// always checked, even when the file is already on disk for another site.

// fileMeta records that a site holds a file.
type fileMeta struct {
	Size    int64     `json:"size"`
	Created time.Time `json:"created"`
}

func fileKey(site, sha string) []byte { return []byte(site + "\x00" + sha) }

// fileLocks serialise, per file, putting its bytes in place with
// attaching it (or, for a refused bundle, taking them away again).
type fileLocks struct {
	stripes [64]sync.Mutex
}

func (l *fileLocks) stripe(sha string) int {
	b, _ := hex.DecodeString(sha[:2])
	return int(b[0]) % len(l.stripes)
}

// lock takes the locks of every file named, in one order, and returns the
// function that releases them.
func (l *fileLocks) lock(shas ...string) func() {
	var idx []int
	for _, sha := range shas {
		idx = append(idx, l.stripe(sha))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		l.stripes[i].Lock()
	}
	return func() {
		for _, i := range idx {
			l.stripes[i].Unlock()
		}
	}
}

func validSHA(sha string) bool {
	if len(sha) != 64 || strings.ToLower(sha) != sha {
		return false
	}
	_, err := hex.DecodeString(sha)
	return err == nil
}

func validSHAOrProblem(w http.ResponseWriter, sha string) bool {
	if !validSHA(sha) {
		writeProblem(w, http.StatusBadRequest, "invalid file address", "files are addressed by the lowercase hex SHA-256 of their bytes")
		return false
	}
	return true
}

func (s *Server) filePath(sha string) string { return filepath.Join(s.fileDir, sha[:2], sha) }

func (s *Server) putFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHAOrProblem(w, sha) {
		return
	}
	ik, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	sum := requestSum(string(portal.KindFile), sha)
	res := portal.PutResult{ID: sha, Key: sha, URL: s.cfg.BaseURL + portal.FilePath(site, sha, "file")}
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
		// This site already sent these bytes: the body is not read, so a
		// client that sent Expect: 100-continue never sends them again. A
		// retry of the request that stored the file gets that request's answer.
		if rec.Request == sum {
			writeJSON(w, rec.Status, rec.Result)
			return
		}
		s.recordIdem(site, ik, idemRecord{Request: sum, Status: http.StatusOK, Result: res})
		writeJSON(w, http.StatusOK, res)
		return
	}
	tmp, size, err := s.receiveFile(s.fileDir, http.MaxBytesReader(w, r.Body, s.cfg.MaxFileSize), sha, s.cfg.MaxFileSize)
	if err != nil {
		var mbe *http.MaxBytesError
		var fe *fileError
		switch {
		case errors.As(err, &mbe):
			writeProblem(w, http.StatusRequestEntityTooLarge, "file too large", fmt.Sprintf("files are limited to %d bytes", s.cfg.MaxFileSize))
		case errors.As(err, &fe):
			writeProblem(w, http.StatusUnprocessableEntity, "hash mismatch", fe.Error())
		case errors.Is(err, errStorage):
			writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		default:
			writeProblem(w, http.StatusBadRequest, "unreadable body", err.Error())
		}
		return
	}
	unlock := s.files.lock(sha)
	_, err = s.place(tmp, sha)
	if err == nil {
		err = s.commit(func(tx *bolt.Tx) error {
			// Two PUTs of one new file may race here: the first attaches
			// it and answers 201, the second finds it attached.
			res.Created = tx.Bucket(bFiles).Get(fileKey(site, sha)) == nil
			if res.Created {
				data, _ := json.Marshal(fileMeta{Size: size, Created: time.Now().UTC()})
				if err := tx.Bucket(bFiles).Put(fileKey(site, sha), data); err != nil {
					return err
				}
			}
			if ik == "" {
				return nil
			}
			data, _ := json.Marshal(idemRecord{Request: sum, Status: statusOf(res), Result: res})
			return tx.Bucket(bIdem).Put(idemKey(site, ik), data)
		})
	}
	unlock()
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, statusOf(res), res)
}

// recordIdem keeps the answer to an idempotent request; failing to keep it
// only loses the replay, not the write, so it is logged nowhere.
func (s *Server) recordIdem(site, ik string, rec idemRecord) {
	if ik == "" {
		return
	}
	data, _ := json.Marshal(rec)
	s.commit(func(tx *bolt.Tx) error { return tx.Bucket(bIdem).Put(idemKey(site, ik), data) })
}

// errStorage marks a failure of the portal's own disk.
var errStorage = errors.New("storage error")

// fileError is bytes that are not the file they claim to be.
type fileError struct{ msg string }

func (e *fileError) Error() string { return e.msg }

// receiveFile streams bytes into a temporary file in dir (on the files'
// own disk), checking that they hash to sha and are at most limit long. On
// success the caller owns the temporary file; on failure nothing is left.
func (s *Server) receiveFile(dir string, body io.Reader, sha string, limit int64) (string, int64, error) {
	tmp, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("%w: %w", errStorage, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, limit+1))
	if err != nil {
		return "", 0, err
	}
	if n > limit {
		return "", 0, &fileError{fmt.Sprintf("larger than %d bytes", limit)}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return "", 0, &fileError{fmt.Sprintf("the bytes sent hash to %s, not %s", got, sha)}
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("%w: %w", errStorage, err)
	}
	keep = true
	return tmp.Name(), n, nil
}

// place puts checked bytes under their name, unless the same bytes are
// there already; it reports whether it created the file. The caller holds
// the file's lock.
func (s *Server) place(tmp, sha string) (bool, error) {
	final := s.filePath(sha)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		os.Remove(tmp)
		return false, fmt.Errorf("%w: %w", errStorage, err)
	}
	if _, err := os.Stat(final); err == nil {
		os.Remove(tmp)
		return false, nil
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return false, fmt.Errorf("%w: %w", errStorage, err)
	}
	return true, nil
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHAOrProblem(w, sha) {
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
	if !validSHAOrProblem(w, sha) {
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

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	keys, err := s.keys(r.PathValue("site"), bFiles, "")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, portal.KeyList{Keys: keys})
}
