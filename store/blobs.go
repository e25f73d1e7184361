package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// BlobID is the SHA-256 of a blob's bytes.
type BlobID [32]byte

// ParseBlobID reads a hex SHA-256.
func ParseBlobID(s string) (BlobID, error) {
	var id BlobID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("invalid blob id %q: want 64 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

func (id BlobID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is unset.
func (id BlobID) IsZero() bool { return id == BlobID{} }

// MarshalText writes the hex form, so IDs read well in JSON.
func (id BlobID) MarshalText() ([]byte, error) {
	if id.IsZero() {
		return []byte{}, nil
	}
	return []byte(id.String()), nil
}

// UnmarshalText reads the hex form.
func (id *BlobID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = BlobID{}
		return nil
	}
	v, err := ParseBlobID(string(b))
	*id = v
	return err
}

// ErrTooLarge says a blob exceeded the size limit it was written with.
var ErrTooLarge = errors.New("body exceeds the size limit")

// Blobs is the workspace's content-addressed store: every blob is named by
// its SHA-256. Blobs written whole from memory (PutBytes: pages, small
// attachments and images) are appended to pack segments (pack.go), made
// durable by the group commit that records them; a streamed blob (Put: a
// large attachment) is a file of its own, blobs/xx/<sha256>, synced as it
// is written. Workspaces written before the pack keep their per-file
// blobs, which are read where they are (no migration: both are read).
type Blobs struct {
	dir  string
	pack *pack
	// legacy says the folder holds per-file blobs, so that a blob missing
	// from the pack is looked for as a file.
	legacy atomic.Bool
	// shards remembers the shard folders known to exist.
	shards [256]atomic.Bool
	// cacheMu serialises writing the cache copies Path and Open make.
	cacheMu sync.Mutex
}

// OpenBlobs opens (creating) a workspace's blob folder, whose pack index
// is kept in db.
func OpenBlobs(dir string, db *bolt.DB) (*Blobs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("create blob folder %s: %w", dir, err)
	}
	b := &Blobs{dir: dir}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blob folder %s: %w", dir, err)
	}
	for _, e := range ents {
		if n, err := hex.DecodeString(e.Name()); err == nil && len(n) == 1 && e.IsDir() {
			b.shards[n[0]].Store(true)
			b.legacy.Store(true)
		}
	}
	b.pack, err = openPack(dir, db)
	if err != nil {
		return nil, fmt.Errorf("blob folder %s: %w", dir, err)
	}
	return b, nil
}

// Close makes everything written durable and indexed, and closes the
// segments.
func (b *Blobs) Close() error { return b.pack.close() }

// filePath is where blob id lives as a file of its own.
func (b *Blobs) filePath(id BlobID) string {
	s := id.String()
	return filepath.Join(b.dir, s[:2], s)
}

// cachePath is where Path puts a packed blob's copy for programs that
// read files.
func (b *Blobs) cachePath(id BlobID) string {
	s := id.String()
	return filepath.Join(b.dir, "cache", s[:2], s)
}

// Path is a local file holding blob id, for programs that read files
// (pdftotext, catdoc). A packed blob is copied out of its segment into
// blobs/cache once (a cache: nothing else reads it, and it may be
// deleted). If the blob cannot be read the path returned does not exist.
func (b *Blobs) Path(id BlobID) string {
	p, _ := b.local(id)
	return p
}

// local returns a file holding id's bytes: its own file, or a checked
// cache copy of its packed record.
func (b *Blobs) local(id BlobID) (string, error) {
	loc, ok := b.pack.lookup(id)
	if !ok {
		return b.filePath(id), nil
	}
	dst := b.cachePath(id)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	data, err := b.pack.read(id, loc)
	if err != nil {
		if b.hasFile(id) {
			return b.filePath(id), nil
		}
		return b.filePath(id), err
	}
	b.cacheMu.Lock()
	defer b.cacheMu.Unlock()
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return b.filePath(id), fmt.Errorf("blob %s: cache copy: %w", id, err)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		os.Remove(tmp)
		return b.filePath(id), fmt.Errorf("blob %s: cache copy: %w", id, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return b.filePath(id), fmt.Errorf("blob %s: cache copy: %w", id, err)
	}
	return dst, nil
}

// Has reports whether id is stored.
func (b *Blobs) Has(id BlobID) bool {
	if b.pack.has(id) {
		return true
	}
	return b.hasFile(id)
}

func (b *Blobs) hasFile(id BlobID) bool {
	if !b.legacy.Load() {
		return false
	}
	_, err := os.Stat(b.filePath(id))
	return err == nil
}

// Put streams r into the store as a file of its own and returns its ID
// and size; the file is synced before Put returns. With limit > 0 a body
// longer than limit is refused with ErrTooLarge (never truncated).
func (b *Blobs) Put(r io.Reader, limit int64) (BlobID, int64, error) {
	var id BlobID
	f, err := os.CreateTemp(filepath.Join(b.dir, "tmp"), "put-*")
	if err != nil {
		return id, 0, fmt.Errorf("blob store: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err == nil && limit > 0 && n > limit {
		err = fmt.Errorf("%w of %d bytes", ErrTooLarge, limit)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return id, n, err
	}
	copy(id[:], h.Sum(nil))
	if b.Has(id) {
		return id, n, nil
	}
	dst := b.filePath(id)
	if err := b.shard(id); err != nil {
		return id, n, err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return id, n, fmt.Errorf("blob store: %w", err)
	}
	renamed = true
	b.legacy.Store(true)
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return id, n, fmt.Errorf("blob store: sync %s: %w", filepath.Dir(dst), err)
	}
	return id, n, nil
}

// shard makes sure id's shard folder exists, creating it (durably) the
// first time; known folders cost nothing.
func (b *Blobs) shard(id BlobID) error {
	if b.shards[id[0]].Load() {
		return nil
	}
	dir := filepath.Dir(b.filePath(id))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	if err := syncDir(b.dir); err != nil {
		return fmt.Errorf("blob store: sync %s: %w", b.dir, err)
	}
	b.shards[id[0]].Store(true)
	return nil
}

// PutBytes stores data that is already in memory, appending it to the
// pack. It is not synced one by one: the ledger transaction that records
// it as done syncs first (one fdatasync for the whole batch, see
// FinishPage) and indexes it in the same transaction; another caller
// calls Flush. Until then it is readable in this process but would not
// survive a crash.
func (b *Blobs) PutBytes(data []byte) (BlobID, error) {
	id := BlobID(sha256.Sum256(data))
	if b.hasFile(id) {
		return id, nil
	}
	return id, b.pack.write(id, data)
}

// Flush makes every blob written so far durable and records the packed
// ones in the pack index (its own ledger transaction). It must not be
// called inside a ledger transaction.
func (b *Blobs) Flush() error { return b.pack.flush() }

// Open opens a blob for reading; a packed blob is opened as its cache
// copy (see Path).
func (b *Blobs) Open(id BlobID) (*os.File, error) {
	p, err := b.local(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	return f, nil
}

// Read returns a blob's bytes, checked against their checksum if packed.
func (b *Blobs) Read(id BlobID) ([]byte, error) {
	if loc, ok := b.pack.lookup(id); ok {
		data, err := b.pack.read(id, loc)
		if err == nil || !b.hasFile(id) {
			return data, err
		}
	}
	data, err := os.ReadFile(b.filePath(id))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	return data, nil
}

// PackStats says how large the pack is, live and dead bytes.
func (b *Blobs) PackStats() PackStats { return b.pack.stats() }
