package review

import (
	"perenos/mapping"
)

// PersonalData says whether an item looks like it lists private persons'
// personal data, and why (mapping.PersonalData, on the item as it stands
// now, edits included).
func PersonalData(it *mapping.Item) (why string, flagged bool) {
	return mapping.PersonalData(it)
}

// PersonalItem is a placed or unplaced item that looks like personal data.
type PersonalItem struct {
	Item    mapping.Item
	Why     string
	Decided bool // the admin moved, kept or excluded it
	Placed  bool // it would be uploaded as the plan stands
}

// PersonalItems lists the plan's items that look like personal data, with
// whether a person has decided on each. Excluded items are not listed:
// they are not uploaded.
func PersonalItems(p *mapping.Plan, ovs []mapping.Override) []PersonalItem {
	decided := map[string]bool{}
	for _, o := range ovs {
		if o.Section != "" || o.Exclude != "" {
			decided[o.Key] = true
		}
	}
	var out []PersonalItem
	add := func(it mapping.Item, placed bool) {
		if why, ok := PersonalData(&it); ok {
			out = append(out, PersonalItem{Item: it, Why: why, Decided: decided[it.Key], Placed: placed})
		}
	}
	for _, s := range p.Sections {
		for _, it := range s.Items {
			add(it, true)
		}
	}
	for _, it := range p.Unplaced {
		add(it, false)
	}
	return out
}

// UndecidedPersonalData lists the items that would be uploaded although
// they look like personal data and nobody decided on them. A site must not
// be approved while this is not empty (automatic approval included).
func UndecidedPersonalData(p *mapping.Plan, ovs []mapping.Override) []PersonalItem {
	var out []PersonalItem
	for _, pi := range PersonalItems(p, ovs) {
		if pi.Placed && !pi.Decided {
			out = append(out, pi)
		}
	}
	return out
}
