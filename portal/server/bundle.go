package server

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"perenos/portal"
)

// importBundle handles POST /api/v1/sites/{site}/bundle. The zip is
// spooled to disk under the bundle cap, checked whole (manifest, every
// body against its schema, every file's bytes against its hash, whether
// or not the file is on disk already, the unpacked total under the same
// cap), and only then applied in one transaction. A refused bundle
// changes nothing and leaves nothing on disk.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	stage, err := os.MkdirTemp(s.fileDir, "bundle-*")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	defer os.RemoveAll(stage)
	spool, err := os.CreateTemp(stage, "spool-*")
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	defer spool.Close()
	n, err := io.Copy(spool, http.MaxBytesReader(w, r.Body, s.cfg.MaxBundleSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "bundle too large", fmt.Sprintf("bundles are limited to %d bytes", s.cfg.MaxBundleSize))
			return
		}
		writeProblem(w, http.StatusBadRequest, "unreadable body", err.Error())
		return
	}
	zr, err := zip.NewReader(spool, n)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "not a zip bundle", err.Error())
		return
	}
	budget := &unpackBudget{left: s.cfg.MaxBundleSize}
	b, err := readBundle(zr, site, s.cfg.MaxObjectSize, budget)
	if err == nil {
		err = s.stageFiles(stage, b, budget)
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "bundle too large", err.Error())
		} else {
			writeProblem(w, http.StatusUnprocessableEntity, "invalid bundle", err.Error())
		}
		return
	}
	res, refErr, err := s.applyBundle(site, b)
	switch {
	case refErr != nil:
		writeProblem(w, http.StatusUnprocessableEntity, "invalid reference", refErr.Error())
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// applyBundle puts the staged files in place and commits the bundle in
// one transaction; when the transaction fails, the files it put in place
// are taken away again.
func (s *Server) applyBundle(site string, b *bundle) (portal.BundleResult, error, error) {
	shas := make([]string, len(b.files))
	for i, f := range b.files {
		shas[i] = f.SHA256
	}
	unlock := s.files.lock(shas...)
	defer unlock()
	var placed []string
	undo := func() {
		for _, sha := range placed {
			os.Remove(s.filePath(sha))
		}
	}
	for _, f := range b.files {
		created, err := s.place(f.staged, f.SHA256)
		if err != nil {
			undo()
			return portal.BundleResult{}, nil, err
		}
		if created {
			placed = append(placed, f.SHA256)
		}
	}
	res := portal.BundleResult{Results: []portal.PutResult{}}
	var refErr error
	err := s.db.Update(func(tx *bolt.Tx) error {
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
			if fe := refs(tx, site, o.value); fe != nil {
				refErr = fmt.Errorf("%s %s: %w", o.kind, o.key, fe)
				return errRollback
			}
			pr, err := putStored(tx, site, o.kind, o.key, o.value, o.canon, now)
			if err != nil {
				return err
			}
			pr.URL = s.publicURL(site, o.value)
			if pr.Created {
				res.Created++
			} else {
				res.Replaced++
			}
			res.Results = append(res.Results, pr)
		}
		return nil
	})
	if err != nil {
		undo()
		if refErr != nil {
			return res, refErr, nil
		}
		return res, nil, err
	}
	return res, nil, nil
}

var (
	errRollback = errors.New("rolled back")
	errTooLarge = errors.New("bundle too large")
)

// unpackBudget counts what a bundle unpacks to, across all its entries.
type unpackBudget struct {
	left int64
}

// reader reads an entry, failing once the bundle as a whole unpacks to
// more than its cap.
func (b *unpackBudget) reader(r io.Reader) io.Reader { return &budgetReader{r: r, b: b} }

type budgetReader struct {
	r io.Reader
	b *unpackBudget
}

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	br.b.left -= int64(n)
	if br.b.left < 0 {
		return n, fmt.Errorf("%w: it unpacks to more than the bundle limit", errTooLarge)
	}
	return n, err
}

type bundleObject struct {
	kind  portal.Kind
	key   string
	value portal.Object
	canon []byte
}

type bundleFile struct {
	portal.ManifestFile
	entry  *zip.File
	staged string // checked bytes in the staging folder, waiting to be put in place
}

type bundle struct {
	objects []bundleObject
	files   []bundleFile
}

// readBundle checks a bundle's manifest and bodies.
func readBundle(zr *zip.Reader, site string, maxObject int64, budget *unpackBudget) (*bundle, error) {
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if entries[f.Name] != nil {
			return nil, fmt.Errorf("%s is in the bundle twice", f.Name)
		}
		entries[f.Name] = f
	}
	mf := entries["manifest.json"]
	if mf == nil {
		return nil, errors.New("manifest.json is missing")
	}
	var m portal.Manifest
	data, err := readEntry(mf, 16<<20, budget)
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Version != portal.BundleVersion {
		return nil, fmt.Errorf("manifest.json: version %d, this portal reads version %d", m.Version, portal.BundleVersion)
	}
	if m.Site != site {
		return nil, fmt.Errorf("manifest.json: the bundle is for site %q, not %q", m.Site, site)
	}
	b := &bundle{}
	seenFile := map[string]bool{}
	for i, f := range m.Files {
		if !validSHA(f.SHA256) {
			return nil, fmt.Errorf("manifest.json files[%d]: %q is not a SHA-256", i, f.SHA256)
		}
		if seenFile[f.SHA256] {
			return nil, fmt.Errorf("manifest.json files[%d]: %s is named twice", i, f.SHA256)
		}
		seenFile[f.SHA256] = true
		e := entries[portal.BundleFilePath(f.SHA256)]
		if e == nil {
			return nil, fmt.Errorf("manifest.json files[%d]: %s is not in the bundle", i, portal.BundleFilePath(f.SHA256))
		}
		b.files = append(b.files, bundleFile{ManifestFile: f, entry: e})
	}
	seen := map[string]bool{}
	for i, o := range m.Objects {
		if !slices.Contains(portal.ObjectKinds, o.Kind) || !portal.ValidKey(o.Key) {
			return nil, fmt.Errorf("manifest.json objects[%d]: %q %q is not a collection and key", i, o.Kind, o.Key)
		}
		id := string(o.Kind) + "/" + o.Key
		if seen[id] {
			return nil, fmt.Errorf("manifest.json objects[%d]: %s is named twice", i, id)
		}
		seen[id] = true
		e := entries[portal.ObjectPath(o.Kind, o.Key)]
		if e == nil {
			return nil, fmt.Errorf("manifest.json objects[%d]: %s is not in the bundle", i, portal.ObjectPath(o.Kind, o.Key))
		}
		raw, err := readEntry(e, maxObject, budget)
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

func readEntry(f *zip.File, limit int64, budget *unpackBudget) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(budget.reader(rc), limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// stageFiles checks every file of the bundle: its bytes, as this bundle
// carries them, must hash to its name and have the manifest's size. A
// file not yet on disk is kept in the staging folder until the bundle is
// applied.
func (s *Server) stageFiles(stage string, b *bundle, budget *unpackBudget) error {
	for i := range b.files {
		f := &b.files[i]
		rc, err := f.entry.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.entry.Name, err)
		}
		tmp, n, err := s.receiveFile(stage, budget.reader(rc), f.SHA256, s.cfg.MaxFileSize)
		rc.Close()
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return err
			}
			return fmt.Errorf("%s: %w", f.entry.Name, err)
		}
		if n != f.Size {
			os.Remove(tmp)
			return fmt.Errorf("%s: %d bytes, the manifest says %d", f.entry.Name, n, f.Size)
		}
		f.staged = tmp
	}
	return nil
}
