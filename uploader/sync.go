package uploader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"perenos/portal"
	"perenos/store"
)

// IDMap is the ledger's record of what was uploaded.
type IDMap interface {
	IDMap(org string) (map[string]store.IDEntry, error)
	PutIDEntry(org string, e store.IDEntry) error
	DeleteIDEntry(org, kind, key string) error
}

// Action is what an upload does with one item.
type Action string

// The actions of an upload plan.
const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Delete    Action = "delete"   // gone from the plan, created by perenos: removed with --sync
	Preserve  Action = "preserve" // gone from the plan, existed before perenos: left on the portal
	Deferred  Action = "deferred" // left for a later run by --limit or --only
)

// Options choose what an upload plan covers.
type Options struct {
	Only  []portal.Kind // only these collections ("" or nil: all)
	Limit int           // at most this many creates and updates (0: no limit)
	Sync  bool          // delete from the portal what left the plan
}

// Step is one item of an upload plan.
type Step struct {
	Op     Op
	Action Action
	Prev   store.IDEntry // what the ID map knew before
}

// Plan is what an upload will do, computed before anything is sent, the way
// rclone's march pairs source and destination: in the site's plan only →
// create; in both → compare the source hash (update or leave); in the ID
// map only → a delete candidate.
type Plan struct {
	Steps   []Step          // upserts, in write order
	Removed []store.IDEntry // in the ID map, no longer in the plan, in delete order
	Sync    bool
}

// MakePlan pairs the ops with the ID map.
func MakePlan(ops []Op, known map[string]store.IDEntry, opt Options) *Plan {
	p := &Plan{Sync: opt.Sync}
	inPlan := map[string]bool{}
	writes := 0
	for _, o := range ops {
		id := string(o.Kind) + "/" + o.Key
		inPlan[id] = true
		prev, had := known[id]
		st := Step{Op: o, Prev: prev}
		switch {
		case had && prev.Status == store.ItemImported && prev.SourceHash == o.Hash:
			st.Action = Unchanged
		case len(opt.Only) > 0 && !slices.Contains(opt.Only, o.Kind):
			st.Action = Deferred
		case opt.Limit > 0 && writes >= opt.Limit:
			st.Action = Deferred
		case had && prev.PortalID != "":
			st.Action, writes = Update, writes+1
		default:
			st.Action, writes = Create, writes+1
		}
		p.Steps = append(p.Steps, st)
	}
	for id, e := range known {
		if !inPlan[id] {
			p.Removed = append(p.Removed, e)
		}
	}
	sort.Slice(p.Removed, func(i, j int) bool {
		ri, rj := deleteRank(p.Removed[i].Kind), deleteRank(p.Removed[j].Kind)
		if ri != rj {
			return ri < rj
		}
		return p.Removed[i].Key > p.Removed[j].Key // children's keys extend their parents'
	})
	return p
}

// deleteRank orders deletes: what names a section or a file goes before it.
func deleteRank(kind string) int {
	switch portal.Kind(kind) {
	case portal.KindFile:
		return 1
	case portal.KindSection:
		return 2
	}
	return 0
}

// Stats counts a plan's actions; RemovedAction is what happens to the
// items that left the plan (delete, preserve, or nothing without --sync).
type Stats struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Deferred  int `json:"deferred,omitempty"`
	Delete    int `json:"delete"`
	Preserve  int `json:"preserve,omitempty"`
	Stale     int `json:"stale,omitempty"` // left the plan; kept because --sync was not given
}

// Stats says what the plan would do.
func (p *Plan) Stats() Stats {
	var s Stats
	for _, st := range p.Steps {
		switch st.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Unchanged:
			s.Unchanged++
		case Deferred:
			s.Deferred++
		}
	}
	for _, e := range p.Removed {
		switch {
		case !p.Sync:
			s.Stale++
		case e.Created:
			s.Delete++
		default:
			s.Preserve++
		}
	}
	return s
}

// ItemError is an item that could not be written or deleted.
type ItemError struct {
	Kind      portal.Kind `json:"kind"`
	Key       string      `json:"key"`
	Source    string      `json:"source,omitempty"`
	Err       string      `json:"error"`
	Permanent bool        `json:"permanent,omitempty"` // the portal refused it; retrying will not help
}

// Report says what an upload did.
type Report struct {
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Deferred  int         `json:"deferred,omitempty"`
	Deleted   int         `json:"deleted"`
	Preserved int         `json:"preserved,omitempty"`
	Stale     []string    `json:"stale,omitempty"` // left the plan, still on the portal (no --sync)
	Failed    int         `json:"failed"`
	Errors    []ItemError `json:"errors,omitempty"`
	// NotDeleted says why deletes were skipped, when they were.
	NotDeleted string `json:"not_deleted,omitempty"`
}

// Changed is how many objects were written or deleted.
func (r *Report) Changed() int { return r.Created + r.Updated + r.Deleted }

// ExecOptions tune how a plan is carried out.
type ExecOptions struct {
	Concurrency int     // objects in flight for this site (default 4)
	Global      Limiter // objects in flight across all sites; nil: no global limit
	MaxDelete   int     // most deletes per site (default 20); more fails the run
}

// Limiter bounds the objects in flight across sites; make it with NewLimiter.
type Limiter chan struct{}

// NewLimiter allows n objects in flight at once.
func NewLimiter(n int) Limiter { return make(Limiter, max(n, 1)) }

// ErrTooManyDeletes says a sync would delete more than --max-delete allows.
var ErrTooManyDeletes = errors.New("too many deletes")

// Execute carries out the plan on t, recording each finished item in the
// ID map at once, so that a run killed at any moment is resumed by the next
// without sending finished work again. Sections go first (parents before
// children), files before the documents that name them. A failed item never
// stops the others. Deletes come last, only with Sync, never after a
// failure, and at most MaxDelete of them.
func (p *Plan) Execute(ctx context.Context, ids IDMap, t Target, org *store.Org, opt ExecOptions) (*Report, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.MaxDelete <= 0 {
		opt.MaxDelete = 20
	}
	rep := &Report{}
	var mu sync.Mutex
	fail := func(o Op, err error) {
		rep.Failed++
		rep.Errors = append(rep.Errors, ItemError{Kind: o.Kind, Key: o.Key, Source: o.Source, Err: err.Error(), Permanent: IsPermanent(err)})
	}
	for _, phase := range phases(p.Steps) {
		sem := make(chan struct{}, opt.Concurrency)
		var wg sync.WaitGroup
		for _, st := range phase {
			switch st.Action {
			case Unchanged:
				rep.Unchanged++
				continue
			case Deferred:
				rep.Deferred++
				continue
			}
			if err := ctx.Err(); err != nil {
				wg.Wait()
				return rep, err
			}
			sem <- struct{}{}
			if opt.Global != nil {
				opt.Global <- struct{}{}
			}
			wg.Go(func() {
				res, err := write(ctx, t, org.PortalSite, st.Op)
				// The slot bounds requests in flight to the portal; the
				// ledger write below no longer needs it.
				<-sem
				if opt.Global != nil {
					<-opt.Global
				}
				if err != nil && ctx.Err() != nil {
					return // interrupted: the ID map keeps its last record, the next run resumes
				}
				e := store.IDEntry{Key: st.Op.Key, Kind: string(st.Op.Kind), SourceHash: st.Op.Hash, Attempts: st.Prev.Attempts + 1,
					PortalID: st.Prev.PortalID, Created: st.Prev.Created}
				if err != nil {
					e.Status, e.LastError = store.ItemFailed, err.Error()
					if st.Prev.Status == store.ItemImported {
						e.SourceHash = st.Prev.SourceHash // the portal still holds the older version
					}
				} else {
					e.Status, e.PortalID, e.LastError = store.ItemImported, res.ID, ""
					if st.Prev.PortalID == "" {
						e.Created = res.Created // 201: perenos made it, so rollback may delete it
					}
				}
				// Concurrent items share ledger commits (store batches them),
				// so the write is made outside the report's lock.
				perr := ids.PutIDEntry(org.ID, e)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					fail(st.Op, err)
				case perr != nil:
					fail(st.Op, fmt.Errorf("record in the ledger: %w", perr))
				case res.Created:
					rep.Created++
				default:
					rep.Updated++
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, p.removeStale(ctx, ids, t, org, opt, rep)
}

// removeStale applies the sync safety rules to what left the plan.
func (p *Plan) removeStale(ctx context.Context, ids IDMap, t Target, org *store.Org, opt ExecOptions, rep *Report) error {
	if len(p.Removed) == 0 {
		return nil
	}
	if !p.Sync {
		for _, e := range p.Removed {
			rep.Stale = append(rep.Stale, e.Kind+"/"+e.Key)
		}
		return nil
	}
	if rep.Failed > 0 {
		rep.NotDeleted = fmt.Sprintf("not deleting %d items that left the plan: this run had %d failures", len(p.Removed), rep.Failed)
		return nil
	}
	deletes := 0
	for _, e := range p.Removed {
		if e.Created {
			deletes++
		}
	}
	if deletes > opt.MaxDelete {
		rep.NotDeleted = fmt.Sprintf("not deleting: %d items left the plan, more than --max-delete %d", deletes, opt.MaxDelete)
		return fmt.Errorf("%w: %d items would be deleted from portal site %s, more than --max-delete %d (check the plan; raise --max-delete if it is right)",
			ErrTooManyDeletes, deletes, org.PortalSite, opt.MaxDelete)
	}
	return removeEntries(ctx, ids, t, org, p.Removed, rep)
}

// removeEntries deletes from the portal what perenos created and forgets
// what existed before, one ID-map entry at a time.
func removeEntries(ctx context.Context, ids IDMap, t Target, org *store.Org, entries []store.IDEntry, rep *Report) error {
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		kind := portal.Kind(e.Kind)
		if e.Created {
			if err := t.Delete(ctx, org.PortalSite, kind, e.Key); err != nil && !errors.Is(err, ErrNotFound) {
				rep.Failed++
				rep.Errors = append(rep.Errors, ItemError{Kind: kind, Key: e.Key, Err: "delete: " + err.Error(), Permanent: IsPermanent(err)})
				continue
			}
			rep.Deleted++
		} else {
			rep.Preserved++
		}
		if err := ids.DeleteIDEntry(org.ID, e.Kind, e.Key); err != nil {
			return fmt.Errorf("forget %s %s in the ledger: %w", e.Kind, e.Key, err)
		}
	}
	return nil
}

// Rollback removes from the portal everything perenos created for the
// site. What existed on the portal before perenos wrote to it (answered 200,
// not 201) stays there; the ID map forgets it.
func Rollback(ctx context.Context, ids IDMap, t Target, org *store.Org) (*Report, error) {
	known, err := ids.IDMap(org.ID)
	if err != nil {
		return nil, err
	}
	p := MakePlan(nil, known, Options{Sync: true})
	rep := &Report{}
	if err := removeEntries(ctx, ids, t, org, p.Removed, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// phases groups steps so that everything a step names is written in an
// earlier phase: sections by depth (parents before children), then files,
// then the pages, documents, news and records that name them.
func phases(steps []Step) [][]Step {
	parent := map[string]string{}
	for _, s := range steps {
		if s.Op.Kind == portal.KindSection {
			parent[s.Op.Key] = s.Op.Obj.(portal.Section).Parent
		}
	}
	depth := func(key string) int {
		d := 0
		for p := parent[key]; p != "" && d < 32; p = parent[p] {
			if _, ok := parent[p]; !ok {
				break // a parent outside the plan already exists on the portal
			}
			d++
		}
		return d
	}
	var sections [][]Step
	var files, rest []Step
	for _, s := range steps {
		switch s.Op.Kind {
		case portal.KindSection:
			d := depth(s.Op.Key)
			for len(sections) <= d {
				sections = append(sections, nil)
			}
			sections[d] = append(sections[d], s)
		case portal.KindFile:
			files = append(files, s)
		default:
			rest = append(rest, s)
		}
	}
	return append(sections, files, rest)
}

func write(ctx context.Context, t Target, site string, o Op) (portal.PutResult, error) {
	if o.Kind == portal.KindFile {
		return t.PutFile(ctx, site, o.File.SHA256, o.File.Size, o.File.Open)
	}
	return t.Put(ctx, site, o.Kind, o.Key, o.Obj)
}
