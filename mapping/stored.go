package mapping

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"perenos/extract"
	"perenos/store"
)

// The map stage's records in the ledger, and the review decisions and
// hand-filled content that every rebuild of a plan applies.
var (
	// Plans holds a site's plan under key "plan".
	Plans = store.Record[Plan]{Kind: "plans"}
	// Overrides holds the decisions made about items (in review, or by an
	// automatic approval), keyed by item key.
	Overrides = store.Record[Override]{Kind: "overrides"}
	// Manuals holds content added in review to fill gaps, keyed by item key.
	Manuals = store.Record[Manual]{Kind: "manual"}
)

const planKey = "plan"

// Manual is content added in review to fill a gap of a section.
type Manual struct {
	Section string `json:"section"`
	Gap     string `json:"gap,omitempty"` // the mandated item it fills ("" for the whole section)
	Item    Item   `json:"item"`
}

// LoadPlan reads a site's plan.
func LoadPlan(rd store.Reader, org string) (*Plan, error) {
	p, err := Plans.Get(rd, org, planKey)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("plan of %s: %w (run perenos map %s)", org, err, org)
		}
		return nil, err
	}
	return p, nil
}

// LoadOverrides reads a site's decisions in key order.
func LoadOverrides(rd store.Reader, org string) ([]Override, error) {
	var out []Override
	err := Overrides.Each(rd, org, func(_ string, ov *Override) error {
		out = append(out, *ov)
		return nil
	})
	return out, err
}

// PlanLedger is what rebuilding a plan reads: the organisation, its
// fetched URLs, extracted documents and attachment texts, decisions and
// filled gaps.
type PlanLedger = store.Reader

// RebuildPlan makes a site's plan afresh: the classifier's plan from the
// extracted documents and attachment texts, then the content filled in
// review for gaps, then the decisions. The map stage and the review UI
// (after each decision) both call it, so that neither loses what the other
// added. It returns the plan and the commit that stores it with the site's
// counts; it moves no state.
//
// blobs reads the pages' stored bytes, for the old site's menu tree (nil:
// the menu is known only from the anchor texts of its links).
func RebuildPlan(ctx context.Context, led PlanLedger, blobs BlobReader, profiles Profiles, opt Options, log *slog.Logger, org string) (*Plan, func(store.Tx) error, error) {
	o, err := led.Org(org)
	if err != nil {
		return nil, nil, err
	}
	prof := profiles[o.Type]
	if prof == nil {
		return nil, nil, fmt.Errorf("no profile for organisation type %s", o.Type)
	}
	in := Input{Org: o, Docs: map[string]*extract.Document{}, Blobs: blobs, spent: true}
	if o.HasLegacy() {
		docs, err := readDocs(led, o.ID)
		if err != nil {
			return nil, nil, err
		}
		in.Docs = docs
		texts, err := extract.AttachTexts.All(led, o.ID)
		if err != nil {
			return nil, nil, err
		}
		in.Attach = make(map[string]AttachText, len(texts))
		for k, v := range texts {
			in.Attach[k] = *v
		}
		if err := led.Pages(o.ID, func(p *store.Page) error {
			if p.Kind != store.KindSitemap && p.Kind != store.KindScript {
				in.Pages = append(in.Pages, p)
			}
			return nil
		}); err != nil {
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	plan := Build(prof, in, opt)
	if err := Manuals.Each(led, org, func(key string, m *Manual) error {
		sp := plan.Section(m.Section)
		if sp == nil {
			plan.Unplaced = append(plan.Unplaced, m.Item)
			return nil
		}
		sp.Items = append(sp.Items, m.Item)
		plan.Gaps = slices.DeleteFunc(plan.Gaps, func(g Gap) bool {
			return g.Section == m.Section && (g.Item == m.Gap || g.Item == "")
		})
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("filled gaps of %s: %w", org, err)
	}
	ovs, err := LoadOverrides(led, o.ID)
	if err != nil {
		return nil, nil, err
	}
	if orphans := ApplyOverrides(plan, ovs); len(orphans) > 0 && log != nil {
		log.Warn("decisions whose item is gone from the site", "site", o.ID, "keys", orphans)
	}
	// Encoded now, outside the commit's transaction; the commit holds
	// the stored bytes and the counts, not the plan.
	enc, err := encodePlan(plan)
	if err != nil {
		return nil, nil, err
	}
	return plan, storePlan(plan.Org, enc, plan.Numbers()), nil
}

// The classifier reasons about the whole site at once, so the map stage
// holds every page's document; readDocs holds them compactly. What the
// template removed from each page (Dropped) is for the review UI, not
// for mapping: it is skipped as each document is decoded, never
// allocated. The strings a site's pages repeat (its menu's addresses and
// anchor texts, microdata names, record types, breadcrumbs) are
// held once for the site, and the lists at their length. On a site of
// 20,000 pages a decoded document took about 16 KB: its Markdown and
// text 10 KB, its links 3 KB (25 of them, most the template's),
// Dropped 2 KB of garbage.

// heldDoc is a document as the map stage decodes it: Dropped shadows the
// document's own field and skips its value.
type heldDoc struct {
	extract.Document
	Dropped skipJSON `json:"dropped"`
}

// skipJSON decodes nothing from any JSON value.
type skipJSON struct{}

// UnmarshalJSON skips the value.
func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// interner holds one copy of each string it is given.
type interner map[string]string

func (in interner) of(s string) string {
	if s == "" {
		return ""
	}
	if t, ok := in[s]; ok {
		return t
	}
	in[s] = s
	return s
}

// readDocs reads a site's extracted documents, by page URL, compactly
// (see heldDoc and compact).
func readDocs(led store.Reader, org string) (map[string]*extract.Document, error) {
	out := map[string]*extract.Document{}
	strs := interner{}
	err := led.EachRecord(extract.Docs.Kind, org, func(key string, raw []byte) error {
		h := new(heldDoc)
		if err := json.Unmarshal(raw, h); err != nil {
			return fmt.Errorf("decode %s %s/%s: %w", extract.Docs.Kind, org, key, err)
		}
		d := &h.Document
		compact(d, strs)
		out[key] = d
		return nil
	})
	return out, err
}

// compact makes a decoded document share the strings its site repeats
// and trims its lists to their length; what it holds reads the same.
func compact(d *extract.Document, strs interner) {
	d.Dropped = nil
	d.HTMLTitle = strs.of(d.HTMLTitle)
	d.Breadcrumbs = clip(d.Breadcrumbs)
	for i, b := range d.Breadcrumbs {
		d.Breadcrumbs[i] = strs.of(b)
	}
	d.Headings = clip(d.Headings)
	d.Itemprops = clip(d.Itemprops)
	for i, p := range d.Itemprops {
		d.Itemprops[i] = strs.of(p)
	}
	d.Links = clip(d.Links)
	for i := range d.Links {
		l := &d.Links[i]
		l.URL, l.Text = strs.of(l.URL), strs.of(l.Text)
	}
	d.Records = clip(d.Records)
	for i := range d.Records {
		d.Records[i].Type = strs.of(d.Records[i].Type)
	}
}

// clip returns s in a slice of its length (nil stays nil).
func clip[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// SavePlan returns the commit that stores plan and the site's plan counts.
func SavePlan(plan *Plan) func(store.Tx) error {
	return func(tx store.Tx) error {
		enc, err := encodePlan(plan)
		if err != nil {
			return err
		}
		return storePlan(plan.Org, enc, plan.Numbers())(tx)
	}
}

// encodePlan returns a plan as the ledger stores it, written item by item
// (writePlanJSON): the same JSON as json.Marshal's, without ever holding
// all of it.
func encodePlan(plan *Plan) (store.Encoded[Plan], error) {
	return Plans.EncodeJSON(func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := writePlanJSON(bw, plan); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// storePlan returns the commit that stores a site's encoded plan and its
// counts.
func storePlan(org string, enc store.Encoded[Plan], n Counts) func(store.Tx) error {
	return func(tx store.Tx) error {
		if err := Plans.PutEncoded(tx, org, planKey, enc); err != nil {
			return err
		}
		return tx.UpdateOrg(org, func(x *store.Org) error {
			x.Stats.Planned = true
			x.Stats.Placed, x.Stats.Unplaced, x.Stats.Excluded, x.Stats.Gaps = int64(n.Placed), int64(n.Unplaced), int64(n.Excluded), int64(n.Gaps)
			return nil
		})
	}
}

// Counts are a plan's numbers, for summaries.
type Counts struct {
	Placed   int `json:"placed"`
	Unplaced int `json:"for_review"`
	Excluded int `json:"excluded"`
	Gaps     int `json:"gaps"`
}

// Numbers returns the plan's counts.
func (p *Plan) Numbers() Counts {
	placed, unplaced, excluded := p.Counts()
	return Counts{Placed: placed, Unplaced: unplaced, Excluded: excluded, Gaps: len(p.Gaps)}
}

// AutoDecisions are the decisions an approval without review makes: each
// item left for review goes to its best candidate section (or «Прочее»),
// recorded as a decision by actor with note, so that a later rebuild of
// the plan (a review edit, a re-map) keeps it where the approval put it.
func AutoDecisions(p *Plan, actor, note string, now time.Time) []Override {
	out := make([]Override, 0, len(p.Unplaced))
	for _, it := range p.Unplaced {
		target := OtherSection
		if len(it.Candidates) > 0 && p.Section(it.Candidates[0].Section) != nil {
			target = it.Candidates[0].Section
		}
		out = append(out, Override{Key: it.Key, Section: target, Note: note, SourceHash: it.SourceHash, Actor: actor, At: now})
	}
	return out
}
