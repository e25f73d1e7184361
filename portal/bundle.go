package portal

import (
	"archive/zip"
	"bytes"
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
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BundleVersion is the version of the bulk-import bundle format.
const BundleVersion = 1

// Manifest is manifest.json of a bulk-import bundle: a zip that holds a
// whole site's content (the "structured data array" import route). Each
// object's body is in objects/<kind>/<key>.json, each file in
// files/<sha256>. Importing a bundle has the same result as putting every
// object and file one by one.
type Manifest struct {
	Version int              `json:"version"`
	Site    string           `json:"site"`
	Objects []ManifestObject `json:"objects"` // in write order: what an object names comes earlier
	Files   []ManifestFile   `json:"files"`
}

// ManifestObject names one object of a bundle.
type ManifestObject struct {
	Kind Kind   `json:"kind"`
	Key  string `json:"key"`
}

// ManifestFile names one file of a bundle.
type ManifestFile struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ObjectPath is where an object's body sits in a bundle.
func ObjectPath(kind Kind, key string) string { return "objects/" + string(kind) + "/" + key + ".json" }

// BundleFilePath is where a file sits in a bundle.
func BundleFilePath(sha string) string { return "files/" + sha }

// BundleResult is the portal's answer to a bundle import.
type BundleResult struct {
	Created  int         `json:"created"`
	Replaced int         `json:"replaced"`
	Results  []PutResult `json:"results"`
}

// importBundle handles POST /api/v1/sites/{site}/bundle: the zip is
// spooled to disk, checked whole (manifest, every body against its schema,
// every file against its hash, every reference), and only then applied in
// one transaction, so a bad bundle changes nothing.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	tmp, err := os.CreateTemp(s.fileDir, "bundle-*")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, http.MaxBytesReader(w, r.Body, s.cfg.MaxFileSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "bundle too large", fmt.Sprintf("bundles are limited to %d bytes", s.cfg.MaxFileSize))
			return
		}
		writeProblem(w, http.StatusBadRequest, "unreadable body", err.Error())
		return
	}
	zr, err := zip.NewReader(tmp, n)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "not a zip bundle", err.Error())
		return
	}
	b, err := readBundle(zr, site, s.cfg.MaxObjectSize)
	if err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, "invalid bundle", err.Error())
		return
	}
	// Files first, each under its hash, exactly as PUT stores them.
	for _, f := range b.files {
		if err := s.storeBundleFile(zr, f); err != nil {
			writeProblem(w, http.StatusUnprocessableEntity, "invalid bundle", err.Error())
			return
		}
	}
	res := BundleResult{Results: []PutResult{}}
	var refErr error
	err = s.db.Update(func(tx *bolt.Tx) error {
		now := time.Now().UTC()
		for _, f := range b.files {
			k := fileKey(site, f.SHA256)
			if tx.Bucket(bFiles).Get(k) == nil {
				data, _ := json.Marshal(fileMeta{Size: f.Size, Created: now})
				if err := tx.Bucket(bFiles).Put(k, data); err != nil {
					return err
				}
			}
		}
		for _, o := range b.objects {
			if refErr = refs(tx, site, o.value); refErr != nil {
				refErr = fmt.Errorf("%s %s: %w", o.kind, o.key, refErr)
				return errRollback
			}
			pr, err := putStored(tx, site, o.kind, o.key, o.canon, now)
			if err != nil {
				return err
			}
			pr.URL = s.cfg.BaseURL + PublicPath(site, o.kind, o.key)
			if pr.Created {
				res.Created++
			} else {
				res.Replaced++
			}
			res.Results = append(res.Results, pr)
		}
		return nil
	})
	switch {
	case refErr != nil:
		writeProblem(w, http.StatusUnprocessableEntity, "invalid reference", refErr.Error())
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

var errRollback = errors.New("rolled back")

type bundleObject struct {
	kind  Kind
	key   string
	value any
	canon []byte
}

type bundle struct {
	objects []bundleObject
	files   []ManifestFile
}

// readBundle checks a bundle's manifest and bodies.
func readBundle(zr *zip.Reader, site string, maxObject int64) (*bundle, error) {
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	mf := entries["manifest.json"]
	if mf == nil {
		return nil, errors.New("manifest.json is missing")
	}
	var m Manifest
	if err := readJSONEntry(mf, 16<<20, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Version != BundleVersion {
		return nil, fmt.Errorf("manifest.json: version %d, this portal reads version %d", m.Version, BundleVersion)
	}
	if m.Site != site {
		return nil, fmt.Errorf("manifest.json: the bundle is for site %q, not %q", m.Site, site)
	}
	b := &bundle{files: m.Files}
	for i, f := range m.Files {
		if !validSHAString(f.SHA256) {
			return nil, fmt.Errorf("manifest.json files[%d]: %q is not a SHA-256", i, f.SHA256)
		}
		if entries[BundleFilePath(f.SHA256)] == nil {
			return nil, fmt.Errorf("manifest.json files[%d]: %s is not in the bundle", i, BundleFilePath(f.SHA256))
		}
	}
	seen := map[string]bool{}
	for i, o := range m.Objects {
		if !slices.Contains(ObjectKinds, o.Kind) || !ValidKey(o.Key) {
			return nil, fmt.Errorf("manifest.json objects[%d]: %q %q is not a collection and key", i, o.Kind, o.Key)
		}
		id := string(o.Kind) + "/" + o.Key
		if seen[id] {
			return nil, fmt.Errorf("manifest.json objects[%d]: %s is named twice", i, id)
		}
		seen[id] = true
		e := entries[ObjectPath(o.Kind, o.Key)]
		if e == nil {
			return nil, fmt.Errorf("manifest.json objects[%d]: %s is not in the bundle", i, ObjectPath(o.Kind, o.Key))
		}
		raw, err := readEntry(e, maxObject)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		v, canon, err := decodeObject(o.Kind, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		b.objects = append(b.objects, bundleObject{o.Kind, o.Key, v, canon})
	}
	return b, nil
}

func validSHAString(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && s == string(bytes.ToLower([]byte(s)))
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

func readJSONEntry(f *zip.File, limit int64, v any) error {
	data, err := readEntry(f, limit)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// storeBundleFile copies one file out of the bundle under its hash,
// checking size and hash on the way.
func (s *Server) storeBundleFile(zr *zip.Reader, f ManifestFile) error {
	final := s.filePath(f.SHA256)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	var entry *zip.File
	for _, e := range zr.File {
		if e.Name == BundleFilePath(f.SHA256) {
			entry = e
			break
		}
	}
	rc, err := entry.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", entry.Name, err)
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), "bundle-file-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rc, s.cfg.MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("%s: %w", entry.Name, err)
	}
	if n > s.cfg.MaxFileSize {
		return fmt.Errorf("%s: larger than %d bytes", entry.Name, s.cfg.MaxFileSize)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%s: its SHA-256 is %s", entry.Name, got)
	}
	if n != f.Size {
		return fmt.Errorf("%s: %d bytes, the manifest says %s", entry.Name, n, strconv.FormatInt(f.Size, 10))
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), final)
}
