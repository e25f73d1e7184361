package uploader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"perenos/portal"
	"perenos/store"
)

// IDMap is the ledger's record of what was uploaded, one per portal.
type IDMap interface {
	IDMap(org string, p store.PortalID) (map[string]store.IDEntry, error)
	PutIDEntries(org string, p store.PortalID, es ...store.IDEntry) error
	DeleteIDEntry(org string, p store.PortalID, kind, key string) error
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
	Force bool          // send every item again, changed or not
}

// Step is one item of an upload plan.
type Step struct {
	Op     Op
	Action Action
	Prev   store.IDEntry // what the ID map knew before
}

// Plan is what an upload to one portal will do, computed before anything
// is sent, the way rclone's march pairs source and destination: in the
// site's plan only → create; in both → compare the source hash (update or
// leave); in the ID map only → a delete candidate.
type Plan struct {
	Portal  store.PortalID  // whose ID map the plan was made against
	Steps   []Step          // upserts, in write order
	Removed []store.IDEntry // in the ID map, no longer in the plan, in delete order
	Sync    bool
}

// MakePlan pairs the ops with portal's ID map.
func MakePlan(portalID store.PortalID, ops []Op, known map[string]store.IDEntry, opt Options) *Plan {
	p := &Plan{Portal: portalID, Sync: opt.Sync, Steps: make([]Step, 0, len(ops))}
	inPlan := make(map[string]bool, len(ops))
	writes := 0
	for _, o := range ops {
		id := store.IDKey(string(o.Kind), o.Key)
		inPlan[id] = true
		prev, had := known[id]
		st := Step{Op: o, Prev: prev}
		switch {
		case !opt.Force && had && prev.Status == store.ItemImported && prev.SourceHash == o.Hash:
			st.Action = Unchanged
		case len(opt.Only) > 0 && !slices.Contains(opt.Only, o.Kind):
			st.Action = Deferred
		case opt.Limit > 0 && writes >= opt.Limit:
			st.Action = Deferred
		case had && prev.ObjectID != "":
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
	sortDeletes(p.Removed)
	return p
}

// sortDeletes orders deletes: what names a section or a file goes before it.
func sortDeletes(es []store.IDEntry) {
	sort.Slice(es, func(i, j int) bool {
		ri, rj := deleteRank(es[i].Kind), deleteRank(es[j].Kind)
		if ri != rj {
			return ri < rj
		}
		return es[i].Key > es[j].Key // children's keys extend their parents'
	})
}

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
	Fix       string      `json:"fix,omitempty"`       // for a permanent failure: what to change
}

// Report says what an upload (or a rollback) did, as the portal answered.
type Report struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deferred  int `json:"deferred,omitempty"`
	Deleted   int `json:"deleted"`
	// Absent are deletes of what the portal no longer held (it answered
	// 404): nothing was removed, and the ID map forgot them.
	Absent    int         `json:"absent,omitempty"`
	Preserved int         `json:"preserved,omitempty"`
	Stale     []string    `json:"stale,omitempty"` // left the plan, still on the portal (no --sync)
	Failed    int         `json:"failed"`
	Permanent int         `json:"permanent,omitempty"` // of Failed, the ones the portal refused for good
	Errors    []ItemError `json:"errors,omitempty"`
	// NotSent are items this run did not get to because it stopped (the
	// portal became unreachable, or the run was interrupted); the ID map
	// keeps their last record and the next run sends them.
	NotSent int `json:"not_sent,omitempty"`
	// NotDeleted says why deletes were skipped, when they were.
	NotDeleted string `json:"not_deleted,omitempty"`
}

// Changed is how many objects were written or deleted.
func (r *Report) Changed() int { return r.Created + r.Updated + r.Deleted }

func (r *Report) fail(o Op, site string, err error) {
	r.Failed++
	ie := ItemError{Kind: o.Kind, Key: o.Key, Source: o.Source, Err: err.Error(), Permanent: IsPermanent(err)}
	if ie.Permanent {
		r.Permanent++
		ie.Fix = fixFor(err, site, o)
	}
	r.Errors = append(r.Errors, ie)
}

// ExecOptions tune how a plan is carried out.
type ExecOptions struct {
	Concurrency int     // objects in flight for this site (default: the target's Properties, else 4)
	Global      Limiter // objects in flight across all sites; nil: no global limit
	MaxDelete   int     // most deletes per site (default 20); more fails the run
	// Progress hears of each item the run sends (nil: nobody listens).
	Progress Progress
}

// Progress hears about an upload as it goes; implementations must be safe
// for concurrent use.
type Progress interface {
	// Sent is called for each item written (or refused, with err).
	Sent(org string, kind portal.Kind, err error)
	// Retried is called before each further try of a write.
	Retried(kind portal.Kind, key string, attempt int, wait time.Duration, err error)
}

// Limiter bounds the objects in flight across sites; make it with NewLimiter.
type Limiter chan struct{}

// NewLimiter allows n objects in flight at once.
func NewLimiter(n int) Limiter { return make(Limiter, max(n, 1)) }

// ErrTooManyDeletes says a sync would delete more than --max-delete allows.
var ErrTooManyDeletes = errors.New("too many deletes")

// Execute carries out the plan on t, recording each finished item in the
// ID map as the portal answers, so that a run killed at any moment is
// resumed by the next without sending finished work again. Sections go
// first (parents before children), files before the documents that name
// them. A failed item never stops the others; a portal that cannot be
// reached stops the run, with what was done recorded and the rest left
// for the next (the error is an *UnreachableError). Deletes come last,
// only with Sync, never after a failure, and at most MaxDelete of them.
func (p *Plan) Execute(ctx context.Context, ids IDMap, t Target, org *store.Org, opt ExecOptions) (*Report, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = t.Properties().Connections
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.MaxDelete <= 0 {
		opt.MaxDelete = 20
	}
	rep := &Report{}
	rec := newRecorder(ids, org.ID, p.Portal, opt.Progress)
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	err := p.upsert(ctx, stop, rec, t, org, opt, rep)
	if rerr := rec.close(); rerr != nil {
		return rep, rerr
	}
	if err != nil {
		return rep, err
	}
	return rep, p.removeStale(ctx, ids, t, org, opt, rep)
}

// upsert writes the plan's steps with Concurrency workers that each take
// the next step as soon as they are free. A step waits only for what it
// names and this run also writes (its parent or section, its file), not
// for a whole phase: a page goes as soon as its section is done, files
// go from the start.
func (p *Plan) upsert(ctx context.Context, stop context.CancelCauseFunc, rec *recorder, t Target, org *store.Org, opt ExecOptions, rep *Report) error {
	todo := make([]Step, 0, len(p.Steps))
	for _, st := range p.Steps {
		switch st.Action {
		case Unchanged:
			rep.Unchanged++
		case Deferred:
			rep.Deferred++
		case Create, Update:
			todo = append(todo, st)
		}
	}
	q := newQueue(todo)
	defer context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.stop()
		q.mu.Unlock()
	})()
	var mu sync.Mutex
	site := org.PortalSite
	var wg sync.WaitGroup
	for range min(opt.Concurrency, len(todo)) {
		wg.Go(func() {
			for {
				i, ok := q.take(ctx)
				if !ok {
					return
				}
				st := todo[i]
				res, err := p.send(ctx, t, site, st.Op, opt.Global)
				q.done(i)
				if err != nil && (IsUnreachable(err) || ctx.Err() != nil) {
					if IsUnreachable(err) {
						stop(err)
					}
					// Not recorded: the ID map keeps its last record,
					// and the next run sends the item.
					mu.Lock()
					rep.NotSent++
					mu.Unlock()
					continue
				}
				// Progress hears of the item once the recorder has made
				// its ID map entry durable, not before.
				rec.put(finished{entry: entryFor(st, res, err), kind: st.Op.Kind, err: err})
				mu.Lock()
				switch {
				case err != nil:
					rep.fail(st.Op, site, err)
				case res.Created && res.ID != st.Prev.ObjectID:
					// A 201 naming the object perenos already had is
					// the portal replaying the first answer to this
					// very write (its Idempotency-Key): nothing new.
					rep.Created++
				default:
					rep.Updated++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	rep.NotSent += q.left()
	return context.Cause(ctx)
}

// queue hands out a run's steps in write order, each once what it waits
// for is done (written or failed: the portal then refuses the step, and
// says why).
type queue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	waits   []int   // per step, how many of its prerequisites are not done
	after   [][]int // per step, the steps waiting for it
	ready   []int   // steps free to go, in write order
	pending int     // steps not yet taken
	stopped bool
}

func newQueue(steps []Step) *queue {
	q := &queue{waits: make([]int, len(steps)), after: make([][]int, len(steps)), pending: len(steps)}
	q.cond = sync.NewCond(&q.mu)
	written := map[string]int{} // sections and files this run writes, by kind/key
	for i, st := range steps {
		if st.Op.Kind == portal.KindSection || st.Op.Kind == portal.KindFile {
			written[store.IDKey(string(st.Op.Kind), st.Op.Key)] = i
		}
	}
	for i, st := range steps {
		for _, need := range prerequisites(st.Op) {
			if j, ok := written[need]; ok && j != i {
				q.waits[i]++
				q.after[j] = append(q.after[j], i)
			}
		}
		if q.waits[i] == 0 {
			q.ready = append(q.ready, i)
		}
	}
	return q
}

// prerequisites are the ID map keys of what an op names.
func prerequisites(o Op) []string {
	sec := func(key string) string { return store.IDKey(string(portal.KindSection), key) }
	switch v := o.Obj.(type) {
	case *portal.Section:
		if v.Parent != "" {
			return []string{sec(v.Parent)}
		}
	case *portal.Page:
		return []string{sec(v.Section)}
	case *portal.NewsItem:
		return []string{sec(v.Section)}
	case *portal.Record:
		return []string{sec(v.Section)}
	case *portal.Document:
		return []string{sec(v.Section), store.IDKey(string(portal.KindFile), v.FileSHA256)}
	}
	return nil
}

// take waits for the next step free to go; false when there is none left
// or ctx is done.
func (q *queue) take(ctx context.Context) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if ctx.Err() != nil {
		q.stop()
	}
	for len(q.ready) == 0 && q.pending > 0 && !q.stopped {
		q.cond.Wait()
	}
	if len(q.ready) == 0 || q.stopped {
		return 0, false
	}
	i := q.ready[0]
	q.ready = q.ready[1:]
	q.pending--
	return i, true
}

// done frees the steps waiting for step i.
func (q *queue) done(i int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.after[i] {
		if q.waits[j]--; q.waits[j] == 0 {
			// Keep write order: a freed step goes before later ones.
			k, _ := slices.BinarySearch(q.ready, j)
			q.ready = slices.Insert(q.ready, k, j)
		}
	}
	q.cond.Broadcast()
}

// stop makes every take return; the caller holds q.mu.
func (q *queue) stop() {
	q.stopped = true
	q.cond.Broadcast()
}

// left is how many steps were never taken.
func (q *queue) left() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}

// send writes one op, holding a slot of the global limit while it is in flight.
func (p *Plan) send(ctx context.Context, t Target, site string, o Op, global Limiter) (portal.PutResult, error) {
	if global != nil {
		select {
		case global <- struct{}{}:
		case <-ctx.Done():
			return portal.PutResult{}, context.Cause(ctx)
		}
		defer func() { <-global }()
	}
	return write(ctx, t, site, o)
}

// entryFor is the ID map entry of a step the portal answered.
func entryFor(st Step, res portal.PutResult, err error) store.IDEntry {
	e := store.IDEntry{Key: st.Op.Key, Kind: string(st.Op.Kind), SourceHash: st.Op.Hash, Attempts: st.Prev.Attempts + 1,
		ObjectID: st.Prev.ObjectID, Created: st.Prev.Created}
	if err != nil {
		e.Status, e.LastError = store.ItemFailed, err.Error()
		if st.Prev.Status == store.ItemImported {
			e.SourceHash = st.Prev.SourceHash // the portal still holds the older version
		}
		return e
	}
	e.Status, e.ObjectID, e.LastError = store.ItemImported, res.ID, ""
	// 201: perenos made it (again), so rollback may delete it.
	e.Created = st.Prev.Created || res.Created
	return e
}

// recorder writes finished items to the ID map from one goroutine, as
// many as have finished since its last commit in each transaction, so
// that the workers never wait for the ledger's disk; an item is reported
// to Progress only after the commit that made its entry durable.
type recorder struct {
	ids      IDMap
	org      string
	portal   store.PortalID
	progress Progress // nil: nobody listens
	mu       sync.Mutex
	queue    []finished
	wake     chan struct{} // an item was put
	stop     chan struct{} // closed when the run is over
	done     chan error
}

// finished is an item the portal answered, waiting to be recorded.
type finished struct {
	entry store.IDEntry
	kind  portal.Kind
	err   error // the portal's refusal, for Progress
}

func newRecorder(ids IDMap, org string, p store.PortalID, progress Progress) *recorder {
	r := &recorder{ids: ids, org: org, portal: p, progress: progress, wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan error, 1)}
	go r.loop()
	return r
}

func (r *recorder) put(f finished) {
	r.mu.Lock()
	r.queue = append(r.queue, f)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// gather is how long the recorder lets finished items gather before a
// commit: a commit (and its two fsyncs) per 20 ms, about one portal round
// trip, not per item. Longer only delays when an item is reported; a kill
// before the commit costs nothing twice, since the next run's writes
// carry the same Idempotency-Keys and the portal answers them as before.
const gather = 20 * time.Millisecond

func (r *recorder) loop() {
	var first error
	for stopped := false; !stopped; {
		select {
		case <-r.wake:
			// Let more items finish before committing, unless the run
			// is over: then nothing more is coming.
			t := time.NewTimer(gather)
			select {
			case <-t.C:
			case <-r.stop:
				t.Stop()
				stopped = true
			}
		case <-r.stop:
			stopped = true
		}
		if first == nil {
			first = r.flush()
		}
	}
	r.done <- first
}

// flush commits what has gathered, then reports it.
func (r *recorder) flush() error {
	r.mu.Lock()
	batch := r.queue
	r.queue = nil
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	es := make([]store.IDEntry, len(batch))
	for i, f := range batch {
		es[i] = f.entry
	}
	if err := r.ids.PutIDEntries(r.org, r.portal, es...); err != nil {
		return fmt.Errorf("record %d uploaded items in the ledger's ID map: %w", len(batch), err)
	}
	if r.progress != nil {
		for _, f := range batch {
			r.progress.Sent(r.org, f.kind, f.err)
		}
	}
	return nil
}

// close writes what is left, at once, and reports the first failure to
// record; nothing may be put after it.
func (r *recorder) close() error {
	close(r.stop)
	return <-r.done
}

// removeStale applies the sync safety rules to what left the plan.
func (p *Plan) removeStale(ctx context.Context, ids IDMap, t Target, org *store.Org, opt ExecOptions, rep *Report) error {
	if len(p.Removed) == 0 {
		return nil
	}
	if !p.Sync {
		for _, e := range p.Removed {
			rep.Stale = append(rep.Stale, store.IDKey(e.Kind, e.Key))
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
	return removeEntries(ctx, ids, t, org, p.Portal, p.Removed, rep)
}

// removeEntries deletes from the portal what perenos created and forgets
// what existed before, one ID-map entry at a time, counting what the
// portal answered: removed, or not there (404).
func removeEntries(ctx context.Context, ids IDMap, t Target, org *store.Org, portalID store.PortalID, entries []store.IDEntry, rep *Report) error {
	del, canDelete := AsDeleter(t)
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			rep.NotSent += len(entries) - i
			return err
		}
		kind := portal.Kind(e.Kind)
		if e.Created {
			if !canDelete {
				rep.fail(Op{Kind: kind, Key: e.Key}, org.PortalSite, &PermanentError{fmt.Errorf("delete: %w", ErrUnsupported)})
				continue
			}
			err := del.Delete(ctx, org.PortalSite, kind, e.Key)
			switch {
			case errors.Is(err, ErrNotFound):
				rep.Absent++
			case IsUnreachable(err):
				rep.NotSent += len(entries) - i
				return err
			case err != nil:
				rep.fail(Op{Kind: kind, Key: e.Key}, org.PortalSite, fmt.Errorf("delete: %w", err))
				continue
			default:
				rep.Deleted++
			}
		} else {
			rep.Preserved++
		}
		if err := ids.DeleteIDEntry(org.ID, portalID, e.Kind, e.Key); err != nil {
			return fmt.Errorf("forget %s %s in the ledger: %w", e.Kind, e.Key, err)
		}
	}
	return nil
}

// Rollback removes from the portal everything perenos created for the
// site there. What existed on the portal before perenos wrote to it
// (answered 200, not 201) stays; the ID map forgets it. The report says
// what the portal answered: removed, or not there any more.
func Rollback(ctx context.Context, ids IDMap, t Target, org *store.Org, portalID store.PortalID) (*Report, error) {
	known, err := ids.IDMap(org.ID, portalID)
	if err != nil {
		return nil, err
	}
	p := MakePlan(portalID, nil, known, Options{Sync: true})
	rep := &Report{}
	if err := removeEntries(ctx, ids, t, org, portalID, p.Removed, rep); err != nil {
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
		if sec, ok := s.Op.Obj.(*portal.Section); ok {
			parent[s.Op.Key] = sec.Parent
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

// write sends one op to t.
func write(ctx context.Context, t Target, site string, o Op) (portal.PutResult, error) {
	switch {
	case o.File != nil:
		return t.PutFile(ctx, site, *o.File)
	case o.Obj != nil:
		return t.Put(ctx, site, o.Key, o.Obj)
	}
	return portal.PutResult{}, &PermanentError{fmt.Errorf("%s %s: nothing to send", o.Kind, o.Key)}
}
