package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"

	"perenos/portal"
)

// Memory is an in-memory Target, for tests and dry comparisons.
type Memory struct {
	mu    sync.Mutex
	objs  map[string]json.RawMessage // site/kind/key
	files map[string][]byte          // site/sha
	ids   map[string]string
	seq   int
	Puts  int // writes that reached the target
}

var _ Target = (*Memory)(nil)

// NewMemory returns an empty in-memory target.
func NewMemory() *Memory {
	return &Memory{objs: map[string]json.RawMessage{}, files: map[string][]byte{}, ids: map[string]string{}}
}

func (m *Memory) Put(ctx context.Context, site string, kind portal.Kind, key string, obj any) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	if !portal.ValidKey(key) {
		return portal.PutResult{}, &portal.Problem{Status: 400, Title: "invalid key", Detail: key}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return portal.PutResult{}, err
	}
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
	return portal.PutResult{ID: m.ids[k], Key: key, URL: portal.PublicPath(site, kind, key), Created: !existed}, nil
}

func (m *Memory) PutFile(ctx context.Context, site, sha string, size int64, body func() (io.ReadCloser, error)) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	m.mu.Lock()
	_, existed := m.files[site+"/"+sha]
	m.mu.Unlock()
	if existed {
		return portal.PutResult{ID: sha, Key: sha}, nil
	}
	rc, err := body()
	if err != nil {
		return portal.PutResult{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return portal.PutResult{}, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sha {
		return portal.PutResult{}, &portal.Problem{Status: 422, Title: "hash mismatch", Detail: sha}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[site+"/"+sha] = data
	m.Puts++
	return portal.PutResult{ID: sha, Key: sha, Created: true}, nil
}

func (m *Memory) Get(ctx context.Context, site string, kind portal.Kind, key string) (json.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.objs[site+"/"+string(kind)+"/"+key]
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", kind, key, ErrNotFound)
	}
	return d, nil
}

func (m *Memory) GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.files[site+"/"+sha]
	if !ok {
		return nil, fmt.Errorf("file %s: %w", sha, ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(d)), nil
}

func (m *Memory) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
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

func (m *Memory) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	prefix := site + "/" + string(kind) + "/"
	if kind == portal.KindFile {
		for k := range m.files {
			if len(k) > len(site)+1 && k[:len(site)+1] == site+"/" {
				out = append(out, k[len(site)+1:])
			}
		}
	} else {
		for k := range m.objs {
			if len(k) > len(prefix) && k[:len(prefix)] == prefix {
				out = append(out, k[len(prefix):])
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
