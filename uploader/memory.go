package uploader

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"perenos/portal"
)

// Memory is an in-memory Target with every capability, for tests.
type Memory struct {
	mu    sync.Mutex
	id    string
	objs  map[string]json.RawMessage // site/kind/key
	files map[string][]byte          // site/sha
	ids   map[string]string
	seq   int
	Puts  int // writes that reached the target
}

var (
	_ Target     = (*Memory)(nil)
	_ Reader     = (*Memory)(nil)
	_ Lister     = (*Memory)(nil)
	_ Deleter    = (*Memory)(nil)
	_ Identifier = (*Memory)(nil)
)

// NewMemory returns an empty in-memory target: a portal of its own, with
// an ID no other has.
func NewMemory() *Memory {
	b := make([]byte, 6)
	rand.Read(b)
	return &Memory{id: "mem-" + hex.EncodeToString(b), objs: map[string]json.RawMessage{}, files: map[string][]byte{}, ids: map[string]string{}}
}

// Properties: memory takes any number of writes at once.
func (m *Memory) Properties() Properties { return Properties{Connections: 8} }

// Identity is the memory portal's ID.
func (m *Memory) Identity(ctx context.Context) (portal.Info, error) {
	return portal.Info{ID: m.id, Name: "memory"}, nil
}

func refused(status int, title, detail string) error {
	return &StatusError{Status: status, Problem: &portal.Problem{Status: status, Title: title, Detail: detail}}
}

// Put upserts an object.
func (m *Memory) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	if !portal.ValidKey(key) {
		return portal.PutResult{}, refused(http.StatusBadRequest, "invalid key", key)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return portal.PutResult{}, &PermanentError{err}
	}
	kind := obj.Kind()
	m.mu.Lock()
	defer m.mu.Unlock()
	k := site + "/" + string(kind) + "/" + key
	_, existed := m.objs[k]
	m.objs[k] = data
	m.Puts++
	if !existed {
		m.seq++
		m.ids[k] = strconv.Itoa(m.seq)
	}
	return portal.PutResult{ID: m.ids[k], Key: key, URL: portal.SitePath(site, "/"+string(kind)+"/"+key), Created: !existed}, nil
}

// PutFile stores a file whose bytes hash to its name.
func (m *Memory) PutFile(ctx context.Context, site string, f File) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	m.mu.Lock()
	_, existed := m.files[site+"/"+f.SHA256]
	m.mu.Unlock()
	if existed {
		return portal.PutResult{ID: f.SHA256, Key: f.SHA256}, nil
	}
	rc, err := f.Open()
	if err != nil {
		return portal.PutResult{}, &PermanentError{err}
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return portal.PutResult{}, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
		return portal.PutResult{}, refused(http.StatusUnprocessableEntity, "hash mismatch", f.SHA256)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, existed := m.files[site+"/"+f.SHA256]; existed {
		return portal.PutResult{ID: f.SHA256, Key: f.SHA256}, nil
	}
	m.files[site+"/"+f.SHA256] = data
	m.Puts++
	return portal.PutResult{ID: f.SHA256, Key: f.SHA256, Created: true}, nil
}

// Get reads an object back.
func (m *Memory) Get(ctx context.Context, site string, kind portal.Kind, key string) (portal.Object, error) {
	m.mu.Lock()
	d, ok := m.objs[site+"/"+string(kind)+"/"+key]
	m.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", kind, key, ErrNotFound)
	}
	return portal.DecodeObject(kind, d)
}

// GetFile reads a file back.
func (m *Memory) GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.files[site+"/"+sha]
	if !ok {
		return nil, fmt.Errorf("file %s: %w", sha, ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(d)), nil
}

// Delete removes an object or a file.
func (m *Memory) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if kind == portal.KindFile {
		if _, ok := m.files[site+"/"+key]; !ok {
			return fmt.Errorf("file %s: %w", key, ErrNotFound)
		}
		delete(m.files, site+"/"+key)
		return nil
	}
	k := site + "/" + string(kind) + "/" + key
	if _, ok := m.objs[k]; !ok {
		return fmt.Errorf("%s %s: %w", kind, key, ErrNotFound)
	}
	delete(m.objs, k)
	return nil
}

// List returns the keys of a site's collection, sorted.
func (m *Memory) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []string{}
	if kind == portal.KindFile {
		for k := range m.files {
			if rest, ok := strings.CutPrefix(k, site+"/"); ok {
				out = append(out, rest)
			}
		}
	} else {
		for k := range m.objs {
			if rest, ok := strings.CutPrefix(k, site+"/"+string(kind)+"/"); ok {
				out = append(out, rest)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
