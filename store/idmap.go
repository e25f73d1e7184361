package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ItemStatus is an uploaded item's standing in the ID map.
type ItemStatus string

// The statuses of the ID map, after Drupal's Migrate API.
const (
	ItemImported    ItemStatus = "imported"
	ItemNeedsUpdate ItemStatus = "needs_update"
	ItemIgnored     ItemStatus = "ignored"
	ItemFailed      ItemStatus = "failed"
)

// IDEntry maps one item of a site's plan to the portal object it became.
type IDEntry struct {
	Key        string     `json:"key"`  // external ID, derived from org ID and the item's path
	Kind       string     `json:"kind"` // sections, pages, documents, news, records, files
	PortalID   string     `json:"portal_id,omitempty"`
	SourceHash string     `json:"source_hash"` // hash of what was sent
	Status     ItemStatus `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error,omitempty"`
	Created    bool       `json:"created"` // perenos created it, so rollback may delete it
	Updated    time.Time  `json:"updated"`
}

func idKey(kind, key string) []byte { return []byte(kind + "/" + key) }

// IDMap loads org's whole ID map, keyed by kind + "/" + key.
func (w *Workspace) IDMap(org string) (map[string]IDEntry, error) {
	out := map[string]IDEntry{}
	err := w.db.View(func(tx *bolt.Tx) error {
		b, _ := orgBucket(tx, bIDMap, org)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e IDEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode id map entry %s: %w", k, err)
			}
			out[string(k)] = e
			return nil
		})
	})
	return out, err
}

// PutIDEntry writes one ID map entry; concurrent writers are batched.
func (w *Workspace) PutIDEntry(org string, e IDEntry) error {
	if e.Updated.IsZero() {
		e.Updated = w.now()
	}
	return w.db.Batch(func(tx *bolt.Tx) error {
		b, err := orgBucket(tx, bIDMap, org)
		if err != nil {
			return err
		}
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return b.Put(idKey(e.Kind, e.Key), data)
	})
}

// DeleteIDEntry forgets an item (after it was deleted from the portal).
func (w *Workspace) DeleteIDEntry(org, kind, key string) error {
	return w.db.Batch(func(tx *bolt.Tx) error {
		b, err := orgBucket(tx, bIDMap, org)
		if err != nil {
			return err
		}
		return b.Delete(idKey(kind, key))
	})
}
