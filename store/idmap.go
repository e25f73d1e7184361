package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The upload ID map records, per site and per portal, every item that was
// sent and what the portal made of it. It is kept per portal because a
// second portal (a staging one, one restored from a backup, an empty one)
// holds none of what the first holds: an upload there must not be told
// "nothing new". Entries live in idmap/{org}/{portal}/{kind}/{key}.

// ItemStatus is an uploaded item's standing in the ID map.
type ItemStatus string

// The statuses of the ID map, after Drupal's Migrate API.
const (
	ItemImported    ItemStatus = "imported"
	ItemNeedsUpdate ItemStatus = "needs_update" // verify found the portal's copy missing or different
	ItemIgnored     ItemStatus = "ignored"
	ItemFailed      ItemStatus = "failed"
)

// PortalID names a portal as it names itself (its identity in the import
// API), never by its address, so that the same portal on another port is
// the same portal and an empty one at the same address is not.
type PortalID string

// LegacyPortal holds the ID map entries written before the map was kept
// per portal: the first upload, verify or rollback of the site adopts them
// for the portal it reaches (see AdoptIDMap). No portal can be named so.
const LegacyPortal PortalID = "~before-portal-ids"

// ParsePortalID checks a portal's ID as it reported it.
func ParsePortalID(s string) (PortalID, error) {
	if s == "" || len(s) > 200 || strings.HasPrefix(s, "~") || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '/' || r > '~' }) {
		return "", fmt.Errorf("portal ID %q: want 1-200 printable ASCII characters without spaces or '/'", s)
	}
	return PortalID(s), nil
}

func (p PortalID) String() string { return string(p) }

// IDEntry maps one item of a site's plan to the portal object it became.
type IDEntry struct {
	Key        string     `json:"key"`  // external ID, derived from org ID and the item's path
	Kind       string     `json:"kind"` // sections, pages, documents, news, records, files
	ObjectID   string     `json:"object_id,omitempty"`
	SourceHash string     `json:"source_hash"` // hash of what was sent
	Status     ItemStatus `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error,omitempty"`
	Created    bool       `json:"created"` // perenos created it, so rollback may delete it
	Updated    time.Time  `json:"updated"`
}

// IDKey is an entry's key in a site's ID map: kind + "/" + key.
func IDKey(kind, key string) string { return kind + "/" + key }

// portalBucket is org's ID map on portal p; nil in a read-only
// transaction when there is none.
func portalBucket(tx *bolt.Tx, org string, p PortalID) (*bolt.Bucket, error) {
	ob, err := orgBucket(tx, bIDMap, org)
	if ob == nil || err != nil {
		return nil, err
	}
	if tx.Writable() {
		return ob.CreateBucketIfNotExists([]byte(p))
	}
	return ob.Bucket([]byte(p)), nil
}

func readIDMap(b *bolt.Bucket) (map[string]IDEntry, error) {
	out := map[string]IDEntry{}
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil
		}
		var e IDEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode id map entry %s: %w", k, err)
		}
		out[string(k)] = e
		return nil
	})
	return out, err
}

// IDMap loads org's ID map on portal p, keyed by IDKey.
func (w *Workspace) IDMap(org string, p PortalID) (map[string]IDEntry, error) {
	var out map[string]IDEntry
	err := w.db.View(func(tx *bolt.Tx) error {
		b, err := portalBucket(tx, org, p)
		if err != nil {
			return err
		}
		out, err = readIDMap(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("id map of %s on portal %s: %w", org, p, err)
	}
	return out, nil
}

// IDMapPortals lists the portals org has an ID map on, sorted.
func (w *Workspace) IDMapPortals(org string) ([]PortalID, error) {
	var out []PortalID
	err := w.db.View(func(tx *bolt.Tx) error {
		ob, _ := orgBucket(tx, bIDMap, org)
		if ob == nil {
			return nil
		}
		return ob.ForEach(func(k, v []byte) error {
			if v == nil {
				out = append(out, PortalID(k))
			}
			return nil
		})
	})
	slices.Sort(out)
	return out, err
}

// PutIDEntries writes entries of org's ID map on portal p in one
// transaction, durable when it returns.
func (w *Workspace) PutIDEntries(org string, p PortalID, es ...IDEntry) error {
	if len(es) == 0 {
		return nil
	}
	now := w.now()
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := portalBucket(tx, org, p)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Updated.IsZero() {
				e.Updated = now
			}
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(IDKey(e.Kind, e.Key)), data); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteIDEntry forgets an item of org's ID map on portal p (after it was
// deleted from that portal).
func (w *Workspace) DeleteIDEntry(org string, p PortalID, kind, key string) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := portalBucket(tx, org, p)
		if err != nil {
			return err
		}
		return b.Delete([]byte(IDKey(kind, key)))
	})
}

// AdoptIDMap moves org's ID map entries from portal from to portal to
// (entries to already has win), and runs also in the same transaction: the
// uploader records there whose the adopted map is and why. It reports how
// many entries moved.
func (w *Workspace) AdoptIDMap(org string, from, to PortalID, also func(Tx) error) (int, error) {
	moved := 0
	err := w.db.Update(func(tx *bolt.Tx) error {
		moved = 0
		ob, err := orgBucket(tx, bIDMap, org)
		if err != nil {
			return err
		}
		if src := ob.Bucket([]byte(from)); src != nil {
			dst, err := ob.CreateBucketIfNotExists([]byte(to))
			if err != nil {
				return err
			}
			if err := src.ForEach(func(k, v []byte) error {
				if v == nil || dst.Get(k) != nil {
					return nil
				}
				moved++
				return dst.Put(k, v)
			}); err != nil {
				return err
			}
			if err := ob.DeleteBucket([]byte(from)); err != nil {
				return err
			}
		}
		if also != nil {
			return also(&boltTx{tx: tx, w: w})
		}
		return nil
	})
	return moved, err
}
