package uploader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"perenos/portal"
	"perenos/store"
)

// IDMap is the ledger's record of what was uploaded.
type IDMap interface {
	IDMap(org string) (map[string]store.IDEntry, error)
	PutIDEntry(org string, e store.IDEntry) error
}

// Options tune a sync.
type Options struct {
	Concurrency int  // objects in flight for one site (4)
	DryRun      bool // say what would be done, do nothing
}

// ItemError is an item that could not be written.
type ItemError struct {
	Kind   portal.Kind `json:"kind"`
	Key    string      `json:"key"`
	Source string      `json:"source,omitempty"`
	Err    string      `json:"error"`
}

// Report says what a sync did (or, dry, would do).
type Report struct {
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Failed    int         `json:"failed"`
	Stale     []string    `json:"stale,omitempty"` // in the ID map, no longer in the plan
	Errors    []ItemError `json:"errors,omitempty"`
	DryRun    bool        `json:"dry_run,omitempty"`
}

// Changed is how many objects were written.
func (r *Report) Changed() int { return r.Created + r.Updated }

// Sync writes the ops to the target: what is new or changed since the ID
// map's last record is upserted, the rest is skipped. Sections go first,
// files before the documents that name them. The ID map is written after
// each successful item, so a re-run after a crash skips finished work. A
// failed item never stops the others.
func Sync(ctx context.Context, ids IDMap, t Target, org *store.Org, ops []Op, opt Options) (*Report, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	known, err := ids.IDMap(org.ID)
	if err != nil {
		return nil, err
	}
	rep := &Report{DryRun: opt.DryRun}
	inPlan := map[string]bool{}
	for _, o := range ops {
		inPlan[string(o.Kind)+"/"+o.Key] = true
	}
	for k := range known {
		if !inPlan[k] {
			rep.Stale = append(rep.Stale, k)
		}
	}
	sort.Strings(rep.Stale)
	var mu sync.Mutex
	for _, phase := range phases(ops) {
		sem := make(chan struct{}, opt.Concurrency)
		var wg sync.WaitGroup
		for _, o := range phase {
			prev, had := known[string(o.Kind)+"/"+o.Key]
			if had && prev.Status == store.ItemImported && prev.SourceHash == o.Hash {
				mu.Lock()
				rep.Unchanged++
				mu.Unlock()
				continue
			}
			if opt.DryRun {
				mu.Lock()
				if had && prev.Status == store.ItemImported {
					rep.Updated++
				} else {
					rep.Created++
				}
				mu.Unlock()
				continue
			}
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				res, err := write(ctx, t, org.PortalSite, o)
				e := store.IDEntry{Key: o.Key, Kind: string(o.Kind), SourceHash: o.Hash, Attempts: prev.Attempts + 1, PortalID: prev.PortalID, Created: prev.Created}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					e.Status, e.LastError = store.ItemFailed, err.Error()
					rep.Failed++
					rep.Errors = append(rep.Errors, ItemError{Kind: o.Kind, Key: o.Key, Source: o.Source, Err: err.Error()})
				} else {
					e.Status, e.PortalID = store.ItemImported, res.ID
					if !had || prev.PortalID == "" {
						e.Created = res.Created // 201: perenos made it, rollback may delete it
					}
					if res.Created {
						rep.Created++
					} else {
						rep.Updated++
					}
				}
				if perr := ids.PutIDEntry(org.ID, e); perr != nil {
					rep.Errors = append(rep.Errors, ItemError{Kind: o.Kind, Key: o.Key, Err: "ledger: " + perr.Error()})
				}
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}

// phases orders ops: sections (parents first), files, then everything else.
func phases(ops []Op) [][]Op {
	var roots, children, files, rest []Op
	for _, o := range ops {
		switch {
		case o.Kind == portal.KindSection && o.Obj.(portal.Section).Parent == "":
			roots = append(roots, o)
		case o.Kind == portal.KindSection:
			children = append(children, o)
		case o.Kind == portal.KindFile:
			files = append(files, o)
		default:
			rest = append(rest, o)
		}
	}
	return [][]Op{roots, children, files, rest}
}

func write(ctx context.Context, t Target, site string, o Op) (portal.PutResult, error) {
	if o.Kind == portal.KindFile {
		return t.PutFile(ctx, site, o.File.SHA256, o.File.Size, o.File.Open)
	}
	return t.Put(ctx, site, o.Kind, o.Key, o.Obj)
}

// Difference is an item whose portal copy does not match the plan.
type Difference struct {
	Kind portal.Kind `json:"kind"`
	Key  string      `json:"key"`
	What string      `json:"what"`
}

// Verify reads every op back from the target and compares hashes.
func Verify(ctx context.Context, t Target, org *store.Org, ops []Op) ([]Difference, error) {
	var diffs []Difference
	for _, o := range ops {
		if err := ctx.Err(); err != nil {
			return diffs, err
		}
		got, err := readHash(ctx, t, org.PortalSite, o)
		switch {
		case errors.Is(err, ErrNotFound):
			diffs = append(diffs, Difference{o.Kind, o.Key, "missing on the portal"})
		case err != nil:
			return diffs, fmt.Errorf("verify %s %s: %w", o.Kind, o.Key, err)
		case got != o.Hash:
			diffs = append(diffs, Difference{o.Kind, o.Key, "content differs from the plan"})
		}
	}
	return diffs, nil
}

func readHash(ctx context.Context, t Target, site string, o Op) (string, error) {
	if o.Kind == portal.KindFile {
		rc, err := t.GetFile(ctx, site, o.Key)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	raw, err := t.Get(ctx, site, o.Kind, o.Key)
	if err != nil {
		return "", err
	}
	var v any
	switch o.Kind {
	case portal.KindSection:
		v = &portal.Section{}
	case portal.KindPage:
		v = &portal.Page{}
	case portal.KindDocument:
		v = &portal.Document{}
	case portal.KindNews:
		v = &portal.NewsItem{}
	case portal.KindRecord:
		v = &portal.Record{}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	return portal.ContentHash(v)
}
