package uploader

import (
	"fmt"
	"testing"

	"perenos/portal"
)

// planOf plans ops as all new.
func planOf(ops []Op) *Plan { return MakePlan("p", ops, nil, Options{}) }

func TestIdealRoundsOfTheBenchSiteIsItsWritesOverConcurrency(t *testing.T) {
	// The benchmark's site: its sections, files and documents leave
	// enough free work beside them that no round need go short but the last.
	for _, c := range []struct{ items, files, conc, want int }{
		{2000, 500, 8, 250},
		{2000, 500, 7, 286}, // 2000/7, rounded up: the tail's round is short
		// No files: the root section goes alone, seven slots idle, and
		// then the rest eight at a time.
		{100, 0, 8, 14},
	} {
		p := planOf(SyntheticSite("3801", c.items-c.files, c.files))
		if got := p.IdealRounds(c.conc); got != c.want {
			t.Errorf("%d items, %d files, %d in flight: %d rounds, want %d", c.items, c.files, c.conc, got, c.want)
		}
	}
}

func TestIdealRoundsWaitsForWhatAStepNames(t *testing.T) {
	sec := func(key, parent string) Op {
		o, err := ObjectOp(key, &portal.Section{Title: key, Parent: parent, Path: "/" + key + "/"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	page := func(key, section string) Op {
		o, err := ObjectOp(key, &portal.Page{Section: section, Title: key, Path: "/" + key}, "")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	// A chain: root, its child, a page there; however many slots, three rounds.
	chain := []Op{sec("root", ""), sec("child", "root"), page("p", "child")}
	if got := planOf(chain).IdealRounds(8); got != 3 {
		t.Errorf("a chain of three: %d rounds, want 3", got)
	}
	// Nine pages under one section, four slots: the section goes alone,
	// then the pages, four at a time.
	ops := []Op{sec("root", "")}
	for i := range 9 {
		ops = append(ops, page(fmt.Sprintf("p%d", i), "root"))
	}
	if got := planOf(ops).IdealRounds(4); got != 4 {
		t.Errorf("a section and nine pages, four slots: %d rounds, want 4", got)
	}
	// What the ID map already holds is no write, and nothing waits for it.
	p := planOf(ops)
	p.Steps[0].Action = Unchanged
	if got := p.IdealRounds(4); got != 3 {
		t.Errorf("nine pages of a section already there, four slots: %d rounds, want 3", got)
	}
	if got := planOf(nil).IdealRounds(4); got != 0 {
		t.Errorf("an empty plan: %d rounds, want 0", got)
	}
}
