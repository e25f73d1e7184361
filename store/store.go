package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// File names inside a workspace folder.
const (
	LedgerFile = "ledger.db"
	holderFile = "ledger.holder"
	blobDir    = "blobs"
)

// Bucket names. Per-organisation buckets hold one sub-bucket per org ID.
var (
	bOrgs     = []byte("orgs")
	bEvents   = []byte("events")
	bEvIndex  = []byte("events_by_org")
	bPages    = []byte("pages")
	bFrontier = []byte("frontier")
	bPrev     = []byte("pages_prev")
	bIDMap    = []byte("idmap")
	bDocs     = []byte("docs")
	bMeta     = []byte("meta")
)

// ErrLocked says another process holds the workspace.
var ErrLocked = errors.New("workspace is locked by another perenos process")

// ErrNotFound says the requested record does not exist.
var ErrNotFound = errors.New("not found")

// LockedError is ErrLocked with the file and what is known of its holder.
type LockedError struct {
	File   string
	Holder string
}

func (e *LockedError) Error() string {
	h := e.Holder
	if h == "" {
		h = "an unknown process"
	}
	return fmt.Sprintf("workspace ledger %s is locked by %s", e.File, h)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock (default 1s).
	LockTimeout time.Duration
	// Command describes this process in the holder note ("perenos crawl").
	Command string
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
	// ReleaseEvery is how often the ledger's mapped pages are released
	// from the process's resident memory while the ledger is used
	// (mapped.go): 0 means every releaseEvery, a negative value never
	// (ReleaseMapped still does it when called).
	ReleaseEvery time.Duration
}

// Workspace is an open ledger and its blob folder.
type Workspace struct {
	Dir   string
	db    *bolt.DB
	Blobs *Blobs
	now   func() time.Time
	// MigratedFrom is the schema version the ledger had before Open
	// migrated it, or 0 when it was already current.
	MigratedFrom uint64

	leases  leases
	finish  finishGroup // FinishPage's group commit (pages.go)
	release *releaser   // releases the ledger's mapped pages while it is used (mapped.go)
}

func migratedFrom(found uint64) uint64 {
	if found == SchemaVersion {
		return 0
	}
	return found
}

// Open opens (creating if needed) the workspace in dir and takes its lock.
func Open(ctx context.Context, dir string, opt Options) (*Workspace, error) {
	if opt.LockTimeout == 0 {
		opt.LockTimeout = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create workspace %s: %w", dir, err)
	}
	path := filepath.Join(dir, LedgerFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			holder, _ := os.ReadFile(filepath.Join(dir, holderFile))
			return nil, &LockedError{File: path, Holder: strings.TrimSpace(string(holder))}
		}
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	host, _ := os.Hostname()
	note := fmt.Sprintf("pid %d on %s (%s) since %s", os.Getpid(), host, opt.Command, opt.Now().Format(time.RFC3339))
	_ = os.WriteFile(filepath.Join(dir, holderFile), []byte(note+"\n"), 0o600)
	found, err := migrate(db, path)
	if err != nil {
		db.Close()
		var se *SchemaError
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fmt.Errorf("initialise ledger %s: %w", path, err)
	}
	blobs, err := OpenBlobs(filepath.Join(dir, blobDir), db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Workspace{Dir: dir, db: db, Blobs: blobs, now: opt.Now, MigratedFrom: migratedFrom(found),
		release: startReleaser(db, opt.ReleaseEvery)}, nil
}

// Close releases the lock.
func (w *Workspace) Close() error {
	w.release.close()
	berr := w.Blobs.Close()
	_ = os.Remove(filepath.Join(w.Dir, holderFile))
	if err := w.db.Close(); err != nil {
		return err
	}
	return berr
}

// Now is the workspace's clock.
func (w *Workspace) Now() time.Time { return w.now() }

// orgBucket returns top's sub-bucket for org, creating it in write transactions.
func orgBucket(tx *bolt.Tx, top []byte, org string) (*bolt.Bucket, error) {
	b := tx.Bucket(top)
	if tx.Writable() {
		return b.CreateBucketIfNotExists([]byte(org))
	}
	sb := b.Bucket([]byte(org))
	if sb == nil {
		return nil, nil
	}
	return sb, nil
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put([]byte(key), data)
}

// putRecordJSON stores v's JSON under key in b, an organisation's bucket
// of kind, compressed when it is large (codec.go).
func putRecordJSON(b *bolt.Bucket, kind, org, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s/%s: %w", kind, org, key, err)
	}
	stored, err := encodeValue(data)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", kind, org, key, err)
	}
	return b.Put([]byte(key), stored)
}

// Put stores v as JSON under (kind, org, key): stage outputs such as
// extracted documents, plans and review overrides. Large values are
// compressed, as Tx.PutRecord does.
func (w *Workspace) Put(kind, org, key string, v any) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := docBucket(tx, kind, org)
		if err != nil {
			return err
		}
		return putRecordJSON(b, kind, org, key, v)
	})
}

// Get loads the JSON stored under (kind, org, key) into v; ErrNotFound if absent.
func (w *Workspace) Get(kind, org, key string, v any) error {
	return w.View(func(r Reader) error {
		raw, err := r.GetRecord(kind, org, key)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("decode %s %s/%s: %w", kind, org, key, err)
		}
		return nil
	})
}

// ForEach calls fn with the JSON of every record of (kind, org) in key
// order; raw is valid only until fn returns.
func (w *Workspace) ForEach(kind, org string, fn func(key string, raw []byte) error) error {
	return w.EachRecord(kind, org, fn)
}

// Replace swaps the whole set of (kind, org) records for recs in one transaction.
func (w *Workspace) Replace(kind, org string, recs map[string]any) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		top, err := tx.Bucket(bDocs).CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		if top.Bucket([]byte(org)) != nil {
			if err := top.DeleteBucket([]byte(org)); err != nil {
				return err
			}
		}
		b, err := top.CreateBucket([]byte(org))
		if err != nil {
			return err
		}
		for k, v := range recs {
			if err := putRecordJSON(b, kind, org, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

func docBucket(tx *bolt.Tx, kind, org string) (*bolt.Bucket, error) {
	top := tx.Bucket(bDocs)
	if tx.Writable() {
		k, err := top.CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return nil, err
		}
		return k.CreateBucketIfNotExists([]byte(org))
	}
	k := top.Bucket([]byte(kind))
	if k == nil {
		return nil, nil
	}
	return k.Bucket([]byte(org)), nil
}
