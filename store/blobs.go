package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
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

// Blobs is a content-addressed folder: each file is named by its SHA-256.
type Blobs struct {
	dir   string
	dirty atomic.Bool // PutBytes wrote data not yet flushed
}

// OpenBlobs opens (creating) a blob folder.
func OpenBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("create blob folder %s: %w", dir, err)
	}
	return &Blobs{dir: dir}, nil
}

// Path is where blob id lives.
func (b *Blobs) Path(id BlobID) string {
	s := id.String()
	return filepath.Join(b.dir, s[:2], s)
}

// Has reports whether id is stored.
func (b *Blobs) Has(id BlobID) bool {
	_, err := os.Stat(b.Path(id))
	return err == nil
}

// Put streams r into the store and returns its ID and size. With limit > 0
// a body longer than limit is refused with ErrTooLarge (never truncated).
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
	dst := b.Path(id)
	if _, err := os.Stat(dst); err == nil {
		return id, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return id, n, fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return id, n, fmt.Errorf("blob store: %w", err)
	}
	renamed = true
	return id, n, nil
}

// PutBytes stores data that is already in memory. Its name is known up
// front, so it is written beside its final place (spreading the work over
// the 256 shard folders) and renamed into place. It is not fsynced one by
// one: the ledger transaction that records it as done calls Flush first,
// one syncfs for the whole batch, so nothing counts as stored before it is
// on disk.
func (b *Blobs) PutBytes(data []byte) (BlobID, error) {
	id := BlobID(sha256.Sum256(data))
	dst := b.Path(id)
	if _, err := os.Stat(dst); err == nil {
		return id, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return id, fmt.Errorf("blob store: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, tmpSeq.Add(1))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return id, fmt.Errorf("blob store: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return id, fmt.Errorf("blob store: %w", err)
	}
	b.dirty.Store(true)
	return id, nil
}

// Flush makes every blob written so far durable (one syncfs of the blob
// folder's file system), if any was written since the last Flush.
func (b *Blobs) Flush() error {
	if !b.dirty.Swap(false) {
		return nil
	}
	if err := syncFS(b.dir); err != nil {
		b.dirty.Store(true)
		return fmt.Errorf("blob store: sync: %w", err)
	}
	return nil
}

// tmpSeq makes temporary names unique within the process; the pid in the
// folder name is not needed since names carry the content hash.
var tmpSeq atomic.Int64

// Open opens a blob for reading.
func (b *Blobs) Open(id BlobID) (*os.File, error) {
	f, err := os.Open(b.Path(id))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	return f, nil
}

// Read returns a blob's bytes.
func (b *Blobs) Read(id BlobID) ([]byte, error) {
	data, err := os.ReadFile(b.Path(id))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	return data, nil
}
