package mapping

import (
	"bufio"
	"context"
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
	in := Input{Org: o, Docs: map[string]*extract.Document{}, Blobs: blobs}
	if o.HasLegacy() {
		// What the template removed from each page is for the review
		// UI, not for mapping: dropped as each page is read, so that a
		// large site's plan is built without holding it.
		if err := extract.Docs.Each(led, o.ID, func(key string, d *extract.Document) error {
			d.Dropped = nil
			in.Docs[key] = d
			return nil
		}); err != nil {
			return nil, nil, err
		}
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
