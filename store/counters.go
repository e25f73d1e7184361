package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bCounters holds named sequence counters (act numbers per region). The
// bucket is created by the first NextSeq, not by Open.
var bCounters = []byte("counters")

// NextSeq advances the named counter and returns its new value: 1 on the
// first call, then 2, 3, ... Each value is handed out once, even to
// concurrent callers, because the read and the write share one transaction.
func (w *Workspace) NextSeq(name string) (uint64, error) {
	if name == "" {
		return 0, fmt.Errorf("counter: empty name")
	}
	var n uint64
	err := w.db.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = nextSeq(tx, name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return n, nil
}

func nextSeq(tx *bolt.Tx, name string) (uint64, error) {
	if name == "" {
		return 0, fmt.Errorf("counter: empty name")
	}
	b, err := tx.CreateBucketIfNotExists(bCounters)
	if err != nil {
		return 0, err
	}
	var n uint64
	if v := b.Get([]byte(name)); v != nil {
		if len(v) != 8 {
			return 0, fmt.Errorf("counter %s: stored value has %d bytes, want 8", name, len(v))
		}
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put([]byte(name), binary.BigEndian.AppendUint64(nil, n))
}

// Seq returns the named counter's current value without advancing it
// (0 when it was never advanced).
func (w *Workspace) Seq(name string) (uint64, error) {
	var n uint64
	err := w.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCounters)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(name)); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return n, err
}
