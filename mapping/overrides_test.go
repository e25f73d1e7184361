package mapping

import (
	"testing"

	"perenos/extract/records"
	"perenos/store"
)

func TestOverridesSurviveRemap(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	in := site(org,
		page{url: "http://s.example/sveden/common.html", title: "Основные сведения"},
		page{url: "http://s.example/misc.html", title: "Разное"},
	)
	prof := profiles(t)[store.School]
	plan := Build(prof, in, Options{})
	misc, sec := itemOf(plan, "http://s.example/misc.html")
	if sec != OtherSection {
		t.Fatalf("misc page in %q, want a free page in %s", sec, OtherSection)
	}
	title := "Разное и полезное"
	ovs := []Override{
		{Key: misc.Key, Section: "history", Title: &title, SourceHash: misc.SourceHash, Actor: "admin"},
		{Key: "/sveden/common.html", Exclude: "дубль", Actor: "admin", SourceHash: "stale"},
		{Key: "/gone.html", Section: "news", Actor: "admin"},
	}
	// a re-map builds a fresh plan; the decisions are applied again
	plan = Build(prof, in, Options{})
	orphans := ApplyOverrides(plan, ovs)
	if len(orphans) != 1 || orphans[0] != "/gone.html" {
		t.Fatalf("orphans %v", orphans)
	}
	hist := plan.Section("history")
	if len(hist.Items) != 1 || hist.Items[0].Title != title || !hist.Items[0].Edited || hist.Items[0].Changed {
		t.Fatalf("moved and edited item: %+v", hist.Items)
	}
	var excluded *Item
	for i, it := range plan.Excluded {
		if it.Key == "/sveden/common.html" {
			excluded = &plan.Excluded[i]
		}
	}
	if excluded == nil || !excluded.Changed {
		t.Fatalf("excluded item missing or its changed source not flagged: %+v", plan.Excluded)
	}
	if len(plan.Section("sveden/common").Items) != 0 {
		t.Fatal("excluded item still placed")
	}
}

// A decision about a record is re-applied after a re-map, and marked when
// the record's values changed on the old site.
func TestRecordOverrideMarksChangedFields(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	u := "http://s.example/sveden/managers.html"
	build := func(phone string) *Plan {
		in := newsSite(org, [3]string{u, "Руководство", ""})
		in.Docs[u].Records = []records.Record{{Type: "rucovodstvo", Fields: map[string]string{"fio": "Гусева Т.Н.", "telephone": phone}}}
		return Build(profiles(t)[store.School], in, Options{})
	}
	plan := build("52-17-07")
	rec, sec := itemOf(plan, u+"#record-1-rucovodstvo")
	if sec != "sveden/managers" {
		t.Fatalf("record placed in %q", sec)
	}
	ov := Override{Key: rec.Key, Section: "sveden/struct", SourceHash: rec.SourceHash, Actor: "admin"}
	for _, c := range []struct {
		phone   string
		changed bool
	}{{"52-17-07", false}, {"52-17-99", true}} {
		plan := build(c.phone)
		if orphans := ApplyOverrides(plan, []Override{ov}); len(orphans) != 0 {
			t.Fatalf("orphans %v", orphans)
		}
		it, sec := itemOf(plan, u+"#record-1-rucovodstvo")
		if sec != "sveden/struct" || it.Changed != c.changed {
			t.Errorf("phone %s: record in %q, changed %v; want sveden/struct, changed %v", c.phone, sec, it.Changed, c.changed)
		}
	}
}
