package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"time"
)

// Override is a review decision about one item, kept by the item's key and
// re-applied after every re-crawl and re-map, so decisions survive them.
type Override struct {
	Key        string    `json:"key"`
	Section    string    `json:"section,omitempty"` // moved to this section
	Exclude    string    `json:"exclude,omitempty"` // excluded, with this reason
	Title      *string   `json:"title,omitempty"`   // edited title
	Body       *string   `json:"body,omitempty"`    // edited Markdown
	Note       string    `json:"note,omitempty"`    // why, when the decision was not a person's (an automatic approval)
	SourceHash string    `json:"source_hash"`       // the item's source when the decision was made
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// SourceHash fingerprints an item's legacy source (not its placement), so
// that a review decision can tell when the source changed under it.
func SourceHash(it *Item) string {
	h := sha256.New()
	title := it.Title
	if it.Kind == KindRecord {
		title = recordSourceTitle(it.DocKind, it.Fields) // its Russian name is made from its fields
	}
	for _, s := range []string{it.Kind, title, it.Body, it.Blob} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if len(it.Fields) > 0 { // records: their values are their source
		keys := make([]string, 0, len(it.Fields))
		for k := range it.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.Write([]byte(k + "=" + it.Fields[k]))
			h.Write([]byte{0})
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ApplyOverrides re-applies review decisions to a freshly built plan. Items
// whose source changed since their review are marked Changed. It returns
// the keys of decisions whose item no longer exists.
func ApplyOverrides(p *Plan, ovs []Override) (orphans []string) {
	for _, ov := range ovs {
		it, ok := p.take(ov.Key)
		if !ok {
			orphans = append(orphans, ov.Key)
			continue
		}
		p.settle(&it) // its source as it was, before the decision edits it
		if ov.SourceHash != "" && ov.SourceHash != it.SourceHash {
			it.Changed = true
		}
		if ov.Title != nil {
			it.Title = *ov.Title
			it.Edited = true
		}
		if ov.Body != nil {
			it.Body, it.src = *ov.Body, ""
			it.Edited = true
		}
		if ov.Title != nil || ov.Body != nil {
			p.withBody(&it, func(it *Item) { it.PersonalData, _ = PersonalData(it) }) // what the edit left
		}
		who := ov.Actor
		switch {
		case ov.Exclude != "":
			it.Reason = "исключено при проверке: " + ov.Exclude + " (" + who + ")"
			p.Excluded = append(p.Excluded, it)
		case ov.Section != "" && p.Section(ov.Section) != nil && ov.Note != "":
			// An automatic decision keeps the classifier's own evidence.
			for _, c := range it.Candidates {
				if c.Section == ov.Section {
					it.Confidence, it.Reasons = c.Confidence, slices.Clone(c.Reasons)
				}
			}
			it.Candidates, it.Reason = nil, ""
			it.Reasons = append(it.Reasons, ov.Note+" ("+who+")")
			sp := p.Section(ov.Section)
			sp.Items = append(sp.Items, it)
		case ov.Section != "" && p.Section(ov.Section) != nil:
			it.Candidates, it.Reason = nil, ""
			it.Confidence, it.Reasons = 1, []string{"раздел выбран при проверке (" + who + ")"}
			sp := p.Section(ov.Section)
			sp.Items = append(sp.Items, it)
		default:
			p.put(it)
		}
	}
	return orphans
}

// take removes the item with key from wherever it is in the plan.
func (p *Plan) take(key string) (Item, bool) {
	for si := range p.Sections {
		items := p.Sections[si].Items
		for i := range items {
			if items[i].Key == key {
				it := items[i]
				p.Sections[si].Items = append(items[:i:i], items[i+1:]...)
				it.home = p.Sections[si].ID
				return it, true
			}
		}
	}
	for _, list := range []*[]Item{&p.Unplaced, &p.Excluded} {
		for i := range *list {
			if (*list)[i].Key == key {
				it := (*list)[i]
				*list = append((*list)[:i:i], (*list)[i+1:]...)
				if list == &p.Unplaced {
					it.home = "\x00unplaced"
				} else {
					it.home = "\x00excluded"
				}
				return it, true
			}
		}
	}
	return Item{}, false
}

// put returns an item to where take found it.
func (p *Plan) put(it Item) {
	switch it.home {
	case "\x00unplaced":
		p.Unplaced = append(p.Unplaced, it)
	case "\x00excluded":
		p.Excluded = append(p.Excluded, it)
	default:
		if sp := p.Section(it.home); sp != nil {
			sp.Items = append(sp.Items, it)
		} else {
			p.Unplaced = append(p.Unplaced, it)
		}
	}
}
