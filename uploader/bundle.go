package uploader

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"perenos/portal"
)

// Bundle is a Target that writes a site's content as one bulk-import
// bundle (see portal.Manifest) instead of calling the API: perenos export
// writes it, and the portal's bulk endpoint imports it with the same result
// as the item-by-item upload. Objects go into the bundle in the order they
// are put; Close writes the manifest. A bundle is only written: it has no
// capability to read back, list or delete.
type Bundle struct {
	site string
	mu   sync.Mutex
	zw   *zip.Writer
	man  portal.Manifest
	objs map[string]bool
	file map[string]bool
}

var _ Target = (*Bundle)(nil)

// NewBundle starts a bundle for portal site site on w.
func NewBundle(w io.Writer, site string) *Bundle {
	return &Bundle{site: site, zw: zip.NewWriter(w), man: portal.Manifest{Version: portal.BundleVersion, Site: site,
		Objects: []portal.ManifestObject{}, Files: []portal.ManifestFile{}}, objs: map[string]bool{}, file: map[string]bool{}}
}

func (b *Bundle) checkSite(site string) error {
	if site != b.site {
		return &PermanentError{fmt.Errorf("the bundle is for site %s, not %s", b.site, site)}
	}
	return nil
}

// Properties: a bundle is one zip, written one entry at a time.
func (b *Bundle) Properties() Properties { return Properties{Connections: 1} }

// Put adds an object; a key can be put once.
func (b *Bundle) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	kind := obj.Kind()
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	if err := b.checkSite(site); err != nil {
		return portal.PutResult{}, err
	}
	if !portal.ValidKey(key) {
		return portal.PutResult{}, &PermanentError{fmt.Errorf("key %q is not valid", key)}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return portal.PutResult{}, &PermanentError{err}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	id := string(kind) + "/" + key
	existed := b.objs[id]
	if existed {
		// A zip cannot replace an entry; a bundle is written once per export.
		return portal.PutResult{}, &PermanentError{fmt.Errorf("%s is already in the bundle", id)}
	}
	w, err := b.zw.Create(portal.ObjectPath(kind, key))
	if err != nil {
		return portal.PutResult{}, err
	}
	if _, err := w.Write(data); err != nil {
		return portal.PutResult{}, err
	}
	b.objs[id] = true
	b.man.Objects = append(b.man.Objects, portal.ManifestObject{Kind: kind, Key: key})
	return portal.PutResult{Key: key, Created: true}, nil
}

// PutFile adds a file under its SHA-256, checking the hash; a file already
// in the bundle is a no-op.
func (b *Bundle) PutFile(ctx context.Context, site string, f File) (portal.PutResult, error) {
	sha := f.SHA256
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	if err := b.checkSite(site); err != nil {
		return portal.PutResult{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.file[sha] {
		return portal.PutResult{ID: sha, Key: sha}, nil
	}
	rc, err := f.Open()
	if err != nil {
		return portal.PutResult{}, &PermanentError{fmt.Errorf("read file %s: %w", sha, err)}
	}
	defer rc.Close()
	w, err := b.zw.CreateHeader(&zip.FileHeader{Name: portal.BundleFilePath(sha), Method: zip.Store})
	if err != nil {
		return portal.PutResult{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), rc)
	if err != nil {
		return portal.PutResult{}, fmt.Errorf("file %s: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return portal.PutResult{}, &PermanentError{fmt.Errorf("file %s: its bytes hash to %s", sha, got)}
	}
	b.file[sha] = true
	b.man.Files = append(b.man.Files, portal.ManifestFile{SHA256: sha, Size: n})
	return portal.PutResult{ID: sha, Key: sha, Created: true}, nil
}

// Close writes the manifest and finishes the zip.
func (b *Bundle) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	w, err := b.zw.Create("manifest.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b.man); err != nil {
		return err
	}
	return b.zw.Close()
}

// Export writes ops as a bundle: every object and file of the plan, in
// write order, regardless of what was uploaded before.
func Export(ctx context.Context, w io.Writer, site string, ops []Op) error {
	b := NewBundle(w, site)
	steps := make([]Step, len(ops))
	for i, o := range ops {
		steps[i] = Step{Op: o, Action: Create}
	}
	for _, phase := range phases(steps) {
		for _, st := range phase {
			if _, err := write(ctx, b, site, st.Op); err != nil {
				return fmt.Errorf("bundle %s %s: %w", st.Op.Kind, st.Op.Key, err)
			}
		}
	}
	return b.Close()
}

// ImportBundle sends a bundle to the portal's bulk endpoint.
func (c *Client) ImportBundle(ctx context.Context, site string, size int64, body func() (io.ReadCloser, error)) (*portal.BundleResult, error) {
	resp, err := c.do(ctx, request{method: "POST", site: site, path: "/bundle", ctype: "application/zip", size: size, body: body, expectContinue: true})
	if err != nil {
		return nil, fmt.Errorf("import bundle: %w", err)
	}
	defer resp.Body.Close()
	var res portal.BundleResult
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&res); err != nil {
		return nil, fmt.Errorf("import bundle: portal answer: %w", err)
	}
	return &res, nil
}
