package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Reader is a consistent view of the ledger's organisations and stage
// records. A *Workspace is a Reader whose every call is its own view; the
// reader given to View and the Tx given to Update see one snapshot.
type Reader interface {
	// Org loads one organisation.
	Org(id string) (*Org, error)
	// GetRecord returns the JSON of (kind, org, key), decompressed if it
	// was stored compressed, or an error wrapping ErrNotFound (absent) or
	// ErrCorruptRecord (it cannot be decoded).
	GetRecord(kind, org, key string) ([]byte, error)
	// EachRecord calls fn with the JSON of every record of (kind, org) in
	// key order; raw is valid only until fn returns.
	EachRecord(kind, org string, fn func(key string, raw []byte) error) error
	// Pages calls fn for each fetched URL of org in key order.
	Pages(org string, fn func(*Page) error) error
}

// Tx is one atomic change to the ledger: everything written through it
// commits together or not at all. A stage's multi-record result (a crawl's
// stats, diff and state; an act's number, text and state) goes through one.
type Tx interface {
	Reader
	// PutRecord stores the JSON raw under (kind, org, key), compressed
	// when it is large; raw must stay unchanged until the transaction ends.
	PutRecord(kind, org, key string, raw []byte) error
	// PutStored stores a value already in the ledger's form (Record.Encode).
	PutStored(kind, org, key string, v Stored) error
	DeleteRecord(kind, org, key string) error
	// ClearRecords removes every record of (kind, org).
	ClearRecords(kind, org string) error
	// UpdateOrg applies fn to an organisation (stats, settings).
	UpdateOrg(id string, fn func(*Org) error) error
	// Advance moves a site to stage st's state and logs it (see Workspace.Advance).
	Advance(id string, st Stage, actor, reason string) error
	// Log appends an event that is not a state change.
	Log(ev Event) error
	// NextSeq advances a named counter (see Workspace.NextSeq).
	NextSeq(name string) (uint64, error)
	// Now is the ledger's clock.
	Now() time.Time
}

// Update runs fn in one write transaction: fn's writes commit together
// when it returns nil and are all discarded when it returns an error.
func (w *Workspace) Update(fn func(Tx) error) error {
	return w.db.Update(func(tx *bolt.Tx) error { return fn(&boltTx{tx: tx, w: w}) })
}

// View runs fn on one consistent snapshot of the ledger.
func (w *Workspace) View(fn func(Reader) error) error {
	return w.db.View(func(tx *bolt.Tx) error { return fn(&boltTx{tx: tx, w: w}) })
}

// GetRecord returns the JSON of (kind, org, key) (see Reader).
func (w *Workspace) GetRecord(kind, org, key string) ([]byte, error) {
	var out []byte
	err := w.View(func(r Reader) error {
		var err error
		out, err = r.GetRecord(kind, org, key)
		return err
	})
	return out, err
}

// EachRecord calls fn with the JSON of every record of (kind, org) in key order.
func (w *Workspace) EachRecord(kind, org string, fn func(key string, raw []byte) error) error {
	return w.View(func(r Reader) error { return r.EachRecord(kind, org, fn) })
}

// boltTx is a Tx (or, read-only, a Reader) on the bbolt backend.
type boltTx struct {
	tx *bolt.Tx
	w  *Workspace
}

var (
	_ Tx     = (*boltTx)(nil)
	_ Reader = (*Workspace)(nil)
)

func (t *boltTx) Org(id string) (*Org, error) { return loadOrg(t.tx, id) }

func (t *boltTx) GetRecord(kind, org, key string) ([]byte, error) {
	b, _ := docBucket(t.tx, kind, org)
	if b == nil {
		return nil, fmt.Errorf("%s %s/%s: %w", kind, org, key, ErrNotFound)
	}
	data := b.Get([]byte(key))
	if data == nil {
		return nil, fmt.Errorf("%s %s/%s: %w", kind, org, key, ErrNotFound)
	}
	if !compressed(data) {
		return bytes.Clone(data), nil
	}
	raw, err := decodeValue(data, nil)
	if err != nil {
		return nil, recordError(kind, org, key, err)
	}
	return raw, nil
}

func (t *boltTx) EachRecord(kind, org string, fn func(key string, raw []byte) error) error {
	var b *bolt.Bucket
	if k := t.tx.Bucket(bDocs).Bucket([]byte(kind)); k != nil {
		b = k.Bucket([]byte(org))
	}
	if b == nil {
		return nil
	}
	// One buffer for the whole walk: a map stage that reads a site's
	// thousands of documents decodes each into the same bytes.
	var buf []byte
	return b.ForEach(func(k, v []byte) error {
		raw, err := decodeValue(v, buf)
		if err != nil {
			return recordError(kind, org, string(k), err)
		}
		if compressed(v) {
			buf = raw
		}
		return fn(string(k), raw)
	})
}

func (t *boltTx) Pages(org string, fn func(*Page) error) error {
	return eachPage(t.tx, bPages, org, fn)
}

func (t *boltTx) PutRecord(kind, org, key string, raw []byte) error {
	stored, err := encodeValue(raw)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", kind, org, key, err)
	}
	return t.putStored(kind, org, key, stored)
}

func (t *boltTx) PutStored(kind, org, key string, v Stored) error {
	if len(v.b) == 0 {
		return fmt.Errorf("%s %s/%s: an empty stored value (not made by Record.Encode)", kind, org, key)
	}
	return t.putStored(kind, org, key, v.b)
}

func (t *boltTx) putStored(kind, org, key string, stored []byte) error {
	b, err := docBucket(t.tx, kind, org)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", kind, org, key, err)
	}
	return b.Put([]byte(key), stored)
}

func (t *boltTx) DeleteRecord(kind, org, key string) error {
	b, err := docBucket(t.tx, kind, org)
	if err != nil {
		return err
	}
	return b.Delete([]byte(key))
}

func (t *boltTx) ClearRecords(kind, org string) error {
	top := t.tx.Bucket(bDocs).Bucket([]byte(kind))
	if top == nil || top.Bucket([]byte(org)) == nil {
		return nil
	}
	return top.DeleteBucket([]byte(org))
}

func (t *boltTx) UpdateOrg(id string, fn func(*Org) error) error {
	o, err := loadOrg(t.tx, id)
	if err != nil {
		return err
	}
	if err := fn(o); err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bOrgs), id, o)
}

func (t *boltTx) Advance(id string, st Stage, actor, reason string) error {
	return advance(t.tx, t.w.now(), id, st, actor, reason)
}

func (t *boltTx) Log(ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = t.w.now()
	}
	return appendEvent(t.tx, ev)
}

func (t *boltTx) NextSeq(name string) (uint64, error) { return nextSeq(t.tx, name) }

func (t *boltTx) Now() time.Time { return t.w.now() }

// Record is one kind of stage record and the Go type stored under it: the
// one place that knows both. A stage declares its records as package
// variables (var plans = store.Record[Plan]{Kind: "plans"}) and reads and
// writes them only through these methods.
type Record[T any] struct {
	Kind string
}

// Get loads (org, key); the error wraps ErrNotFound when it is absent.
func (r Record[T]) Get(rd Reader, org, key string) (*T, error) {
	raw, err := rd.GetRecord(r.Kind, org, key)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode %s %s/%s: %w", r.Kind, org, key, err)
	}
	return v, nil
}

// Each calls fn for every record of org in key order.
func (r Record[T]) Each(rd Reader, org string, fn func(key string, v *T) error) error {
	return rd.EachRecord(r.Kind, org, func(key string, raw []byte) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("decode %s %s/%s: %w", r.Kind, org, key, err)
		}
		return fn(key, v)
	})
}

// All loads every record of org, by key.
func (r Record[T]) All(rd Reader, org string) (map[string]*T, error) {
	out := map[string]*T{}
	err := r.Each(rd, org, func(key string, v *T) error {
		out[key] = v
		return nil
	})
	return out, err
}

// Encode returns v as the ledger would store it: a stage that holds many
// results until its commit keeps these bytes (a page's document takes a
// sixth of its JSON) instead of the values, and writes them with
// ReplaceEncoded.
func (r Record[T]) Encode(v *T) (Encoded[T], error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Encoded[T]{}, fmt.Errorf("encode %s: %w", r.Kind, err)
	}
	stored, err := encodeValue(data)
	if err != nil {
		return Encoded[T]{}, fmt.Errorf("encode %s: %w", r.Kind, err)
	}
	return Encoded[T]{s: Stored{b: stored}}, nil
}

// Put stores v under (org, key).
func (r Record[T]) Put(tx Tx, org, key string, v *T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s/%s: %w", r.Kind, org, key, err)
	}
	return tx.PutRecord(r.Kind, org, key, data)
}

// Delete removes (org, key).
func (r Record[T]) Delete(tx Tx, org, key string) error { return tx.DeleteRecord(r.Kind, org, key) }

// Replace swaps every record of org for all.
func (r Record[T]) Replace(tx Tx, org string, all map[string]*T) error {
	if err := tx.ClearRecords(r.Kind, org); err != nil {
		return err
	}
	for k, v := range all {
		if err := r.Put(tx, org, k, v); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceEncoded swaps every record of org for all, values Encode made.
func (r Record[T]) ReplaceEncoded(tx Tx, org string, all map[string]Encoded[T]) error {
	if err := tx.ClearRecords(r.Kind, org); err != nil {
		return err
	}
	for k, v := range all {
		if err := tx.PutStored(r.Kind, org, k, v.s); err != nil {
			return err
		}
	}
	return nil
}
