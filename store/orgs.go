package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// OrgType is the kind of organisation, which decides the mandated structure.
type OrgType string

// The organisation types of the registry.
const (
	School    OrgType = "school"
	Preschool OrgType = "preschool"
	Medical   OrgType = "medical"
	Municipal OrgType = "municipal"
)

// OrgTypes lists the valid organisation types.
var OrgTypes = []OrgType{School, Preschool, Medical, Municipal}

// ParseOrgType checks that s names an organisation type.
func ParseOrgType(s string) (OrgType, error) {
	t := OrgType(s)
	if slices.Contains(OrgTypes, t) {
		return t, nil
	}
	return "", fmt.Errorf("unknown organisation type %q (want school, preschool, medical or municipal)", s)
}

// Org is one organisation of the region and the state of its site's migration.
type Org struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       OrgType           `json:"type"`
	Region     string            `json:"region"`
	District   string            `json:"district"`
	LegacyURL  string            `json:"legacy_url"`
	PortalSite string            `json:"portal_site"`
	Settings   map[string]string `json:"settings,omitempty"` // optional registry columns
	State      State             `json:"state"`
	FailedAt   Stage             `json:"failed_stage,omitempty"`
	Error      string            `json:"error,omitempty"`
	Stats      OrgStats          `json:"stats,omitzero"` // counts kept by the stages
	Created    time.Time         `json:"created"`
	Updated    time.Time         `json:"updated"`
}

// OrgStats are the counts the stages keep on an organisation, for lists
// and reports: the crawl's (pages, attachments, bytes, fetch errors) and
// the plan's (placed, unplaced, excluded, gaps).
type OrgStats struct {
	Pages       int64 `json:"pages,omitempty"`
	Attachments int64 `json:"attachments,omitempty"`
	Bytes       int64 `json:"bytes,omitempty"`
	FetchErrors int64 `json:"fetch_errors,omitempty"`
	// Planned is true once the site has a plan (the counts below are its).
	Planned  bool  `json:"planned,omitempty"`
	Placed   int64 `json:"placed,omitempty"`
	Unplaced int64 `json:"unplaced,omitempty"`
	Excluded int64 `json:"excluded,omitempty"`
	Gaps     int64 `json:"gaps,omitempty"`
}

// HasLegacy reports whether the organisation has a legacy site to crawl.
func (o *Org) HasLegacy() bool { return o.LegacyURL != "" }

// EventKind says what an event records.
type EventKind string

// The kinds of events.
const (
	EventState  EventKind = "state"  // a state change
	EventEdit   EventKind = "edit"   // a change of content or registry data
	EventImport EventKind = "import" // an organisation added by the registry import
)

// Event is one entry of the append-only log.
type Event struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Org    string    `json:"org"`
	Kind   EventKind `json:"kind"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// ImportResult says what an upsert of an organisation did.
type ImportResult int

// The outcomes of UpsertOrg.
const (
	OrgUnchanged ImportResult = iota
	OrgCreated
	OrgUpdated
	// OrgForced is an update that moved a site whose act is signed to
	// another portal site, with UpsertOptions.Force.
	OrgForced
)

// ErrMovesSigned says a registry update would move a site whose act is
// signed to another portal site.
var ErrMovesSigned = errors.New("its completion act is signed")

// SignedMoveError is a registry update refused because it moves a site
// whose act is signed from one portal site to another.
type SignedMoveError struct {
	Org  string `json:"org"`
	From string `json:"from"` // the portal site it has
	To   string `json:"to"`   // the one the registry gives
}

func (e *SignedMoveError) Error() string {
	return fmt.Sprintf("organisation %s: the registry moves it from portal site %s to %s, but %v and names %s; nothing of this row was changed (import again with --force to move it, which the event log records)",
		e.Org, e.From, e.To, ErrMovesSigned, e.From)
}

func (e *SignedMoveError) Unwrap() error { return ErrMovesSigned }

// UpsertOptions tune UpsertOrgWith.
type UpsertOptions struct {
	// Force lets an update move a site whose act is signed to another
	// portal site; the event says it was forced.
	Force bool
	// Signed tells whether the organisation's act is signed; nil means
	// its state is act_signed.
	Signed func(r Reader, o *Org) bool
}

// UpsertOrg adds an organisation or updates its registry data, keeping its
// state and history. Changes are logged as events. An update that moves a
// site whose act is signed to another portal site is refused with a
// *SignedMoveError (UpsertOrgWith can force it).
func (w *Workspace) UpsertOrg(actor string, in Org) (ImportResult, error) {
	return w.UpsertOrgWith(actor, in, UpsertOptions{})
}

// UpsertOrgWith is UpsertOrg with options.
func (w *Workspace) UpsertOrgWith(actor string, in Org, opt UpsertOptions) (ImportResult, error) {
	res := OrgUnchanged
	err := w.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOrgs)
		now := w.now()
		var cur Org
		if data := b.Get([]byte(in.ID)); data != nil {
			if err := json.Unmarshal(data, &cur); err != nil {
				return fmt.Errorf("decode organisation %s: %w", in.ID, err)
			}
			changed := diffOrg(&cur, &in)
			if len(changed) == 0 {
				return nil
			}
			reason := "registry update: " + fmt.Sprint(changed)
			if cur.PortalSite != in.PortalSite {
				signed := cur.State == ActSigned
				if opt.Signed != nil {
					signed = opt.Signed(&boltTx{tx: tx, w: w}, &cur)
				}
				switch {
				case signed && !opt.Force:
					return &SignedMoveError{Org: in.ID, From: cur.PortalSite, To: in.PortalSite}
				case signed:
					reason += fmt.Sprintf("; portal_site moved from %s to %s although its completion act is signed (forced with --force)", cur.PortalSite, in.PortalSite)
					res = OrgForced
				}
			}
			cur.Name, cur.Type, cur.Region, cur.District = in.Name, in.Type, in.Region, in.District
			cur.LegacyURL, cur.PortalSite, cur.Settings = in.LegacyURL, in.PortalSite, in.Settings
			cur.Updated = now
			if res != OrgForced {
				res = OrgUpdated
			}
			if err := putJSON(b, cur.ID, cur); err != nil {
				return err
			}
			return appendEvent(tx, Event{Time: now, Actor: actor, Org: in.ID, Kind: EventEdit, Reason: reason})
		}
		in.State, in.Created, in.Updated = Registered, now, now
		res = OrgCreated
		if err := putJSON(b, in.ID, in); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: now, Actor: actor, Org: in.ID, Kind: EventImport, To: string(Registered), Reason: "registry import"})
	})
	return res, err
}

func diffOrg(a, b *Org) []string {
	var d []string
	add := func(name, x, y string) {
		if x != y {
			d = append(d, name)
		}
	}
	add("name", a.Name, b.Name)
	add("type", string(a.Type), string(b.Type))
	add("region", a.Region, b.Region)
	add("district", a.District, b.District)
	add("legacy_url", a.LegacyURL, b.LegacyURL)
	add("portal_site", a.PortalSite, b.PortalSite)
	if fmt.Sprint(a.Settings) != fmt.Sprint(b.Settings) {
		d = append(d, "settings")
	}
	return d
}

// Org loads one organisation.
func (w *Workspace) Org(id string) (*Org, error) {
	var o Org
	err := w.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bOrgs).Get([]byte(id))
		if data == nil {
			return fmt.Errorf("organisation %s: %w", id, ErrNotFound)
		}
		return json.Unmarshal(data, &o)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// Orgs lists all organisations in ID order.
func (w *Workspace) Orgs() ([]*Org, error) {
	var out []*Org
	err := w.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bOrgs).ForEach(func(k, v []byte) error {
			var o Org
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decode organisation %s: %w", k, err)
			}
			out = append(out, &o)
			return nil
		})
	})
	return out, err
}

// UpdateOrg applies fn to an organisation inside one transaction (stats, settings).
func (w *Workspace) UpdateOrg(id string, fn func(*Org) error) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		o, err := loadOrg(tx, id)
		if err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bOrgs), id, o)
	})
}

func loadOrg(tx *bolt.Tx, id string) (*Org, error) {
	data := tx.Bucket(bOrgs).Get([]byte(id))
	if data == nil {
		return nil, fmt.Errorf("organisation %s: %w", id, ErrNotFound)
	}
	var o Org
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("decode organisation %s: %w", id, err)
	}
	return &o, nil
}

// CheckStage says whether stage st may run now on org, without changing anything.
func (w *Workspace) CheckStage(id string, st Stage) error {
	o, err := w.Org(id)
	if err != nil {
		return err
	}
	return CanRun(st, o.State, o.FailedAt, o.HasLegacy())
}

// Advance records that stage st finished for org: the site moves to the
// stage's state (forward, or back when the stage was re-run) and the change
// is logged. Illegal transitions return a *TransitionError.
func (w *Workspace) Advance(id string, st Stage, actor, reason string) error {
	return w.db.Update(func(tx *bolt.Tx) error { return advance(tx, w.now(), id, st, actor, reason) })
}

func advance(tx *bolt.Tx, now time.Time, id string, st Stage, actor, reason string) error {
	o, err := loadOrg(tx, id)
	if err != nil {
		return err
	}
	if err := CanRun(st, o.State, o.FailedAt, o.HasLegacy()); err != nil {
		return fmt.Errorf("organisation %s: %w", id, err)
	}
	from := o.State
	to := st.Result()
	o.State, o.FailedAt, o.Error, o.Updated = to, "", "", now
	if from.Rank() > to.Rank() {
		if reason == "" {
			reason = fmt.Sprintf("%s re-run moves the site back from %s", st, from)
		} else {
			// The caller says why (an act unsigned, an act voided): say
			// only where the site came from.
			reason = joinReason(reason, fmt.Sprintf("the site moves back from %s", from))
		}
	}
	if err := putJSON(tx.Bucket(bOrgs), id, o); err != nil {
		return err
	}
	return appendEvent(tx, Event{Time: o.Updated, Actor: actor, Org: id, Kind: EventState, From: string(from), To: string(to), Reason: reason})
}

// Fail records that stage st failed for org with cause.
func (w *Workspace) Fail(id string, st Stage, actor string, cause error) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		o, err := loadOrg(tx, id)
		if err != nil {
			return err
		}
		from := o.State
		o.State, o.FailedAt, o.Error, o.Updated = Failed, st, cause.Error(), w.now()
		if err := putJSON(tx.Bucket(bOrgs), id, o); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: o.Updated, Actor: actor, Org: id, Kind: EventState, From: string(from), To: string(Failed), Reason: fmt.Sprintf("%s failed: %v", st, cause)})
	})
}

// Log appends an event that is not a state change (an edit, a note).
func (w *Workspace) Log(ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = w.now()
	}
	return w.db.Update(func(tx *bolt.Tx) error { return appendEvent(tx, ev) })
}

func joinReason(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// MaxReason is the most bytes of an event's reason the log keeps; a longer
// reason is cut at a character boundary and marked with an ellipsis.
const MaxReason = 2000

// ClipText cuts s to at most n bytes without splitting a UTF-8 character,
// ending it with "…" when anything was cut. Invalid bytes become U+FFFD
// first, so what is stored is always valid UTF-8.
func ClipText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := max(n-len(ell), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

func appendEvent(tx *bolt.Tx, ev Event) error {
	ev.Reason = ClipText(ev.Reason, MaxReason)
	b := tx.Bucket(bEvents)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	ev.Seq = seq
	key := binary.BigEndian.AppendUint64(nil, seq)
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := b.Put(key, data); err != nil {
		return err
	}
	idx, err := tx.Bucket(bEvIndex).CreateBucketIfNotExists([]byte(ev.Org))
	if err != nil {
		return err
	}
	return idx.Put(key, nil)
}

// Events returns an organisation's history in order.
func (w *Workspace) Events(org string) ([]Event, error) {
	var out []Event
	err := w.db.View(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bEvIndex).Bucket([]byte(org))
		if idx == nil {
			return nil
		}
		evs := tx.Bucket(bEvents)
		return idx.ForEach(func(k, _ []byte) error {
			var ev Event
			if err := json.Unmarshal(evs.Get(k), &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, ev)
			return nil
		})
	})
	return out, err
}

// AllEvents calls fn for every event in order, for reports computed from the log.
func (w *Workspace) AllEvents(fn func(Event) error) error {
	return w.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
			var ev Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			return fn(ev)
		})
	})
}
