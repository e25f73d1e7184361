package uploader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/portal"
	"perenos/store"
)

func testPlan() *mapping.Plan {
	return &mapping.Plan{Org: "3801", Type: store.School, Sections: []mapping.SectionPlan{
		{ID: "sveden", Title: "Сведения об образовательной организации", PortalPath: "/svedeniya/", Items: []mapping.Item{}},
		{ID: "sveden/paid_edu", Title: "Платные образовательные услуги", PortalPath: "/svedeniya/platnye/", Parent: "sveden", Mandated: true, Items: []mapping.Item{
			{Key: "/sveden/paid_edu.html", SourceURL: "http://old.example/sveden/paid_edu.html", Kind: mapping.KindPage, Title: "Платные услуги",
				Body: "См. [устав](http://old.example/files/ustav.pdf) и [контакты](http://old.example/contacts.html#map), [нет](http://old.example/gone.html)"},
			{Key: "/files/ustav.pdf", SourceURL: "http://old.example/files/ustav.pdf", Kind: mapping.KindDocument, Title: "Устав", FileName: "ustav.pdf", Blob: sha("устав"), Size: int64(len("устав"))},
		}},
		{ID: "contacts", Title: "Контакты", PortalPath: "/kontakty/", Items: []mapping.Item{
			{Key: "/contacts.html", SourceURL: "http://old.example/contacts.html", Kind: mapping.KindPage, Title: "Контакты", Body: "Ангарск"},
		}},
	}}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var testOrg = &store.Org{ID: "3801", LegacyURL: "http://old.example/", PortalSite: "sh1"}

func testOps(t *testing.T, plan *mapping.Plan) []Op {
	t.Helper()
	files := map[string]string{sha("устав"): "устав"}
	ops, unresolved, err := BuildOps(Site{Org: testOrg}, plan, func(s string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(files[s])), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sections) == 3 && (len(unresolved) != 1 || unresolved[0] != "http://old.example/gone.html") {
		t.Fatalf("unresolved links %v", unresolved)
	}
	return ops
}

// portalOf is the ID map key of a target.
func portalOf(t *testing.T, tgt Target) store.PortalID {
	t.Helper()
	id, ok := AsIdentifier(tgt)
	if !ok {
		return "no-identity"
	}
	info, err := id.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return store.PortalID(info.ID)
}

// runSync plans and executes an upload against the target's own ID map.
func runSync(t *testing.T, ws *store.Workspace, tgt Target, org *store.Org, plan *mapping.Plan, opt Options, exec ExecOptions) (*Report, error) {
	t.Helper()
	p := portalOf(t, tgt)
	known, err := ws.IDMap(org.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	return MakePlan(p, testOps(t, plan), known, opt).Execute(context.Background(), ws, tgt, org, exec)
}

func TestSyncIsIdempotentAndMinimal(t *testing.T) {
	ws := store.TestStore(t)
	mem := NewMemory()
	plan := testPlan()
	rep, err := runSync(t, ws, mem, testOrg, plan, Options{}, ExecOptions{})
	if err != nil || rep.Created != 7 || rep.Failed != 0 {
		t.Fatalf("first sync %+v %v", rep, err)
	}
	page, _ := mem.Get(context.Background(), "sh1", portal.KindPage, ItemKey("3801", portal.KindPage, "/sveden/paid_edu.html"))
	body := page.(*portal.Page).Body
	for _, want := range []string{"(/sites/sh1/svedeniya/platnye/ustav.pdf)", "(/sites/sh1/kontakty/kontakty)"} {
		if !strings.Contains(body, want) {
			t.Errorf("link not rewritten to the public path %s: %s", want, body)
		}
	}
	puts := mem.Puts
	rep, err = runSync(t, ws, mem, testOrg, plan, Options{}, ExecOptions{})
	if err != nil || rep.Changed() != 0 || rep.Unchanged != 7 || mem.Puts != puts {
		t.Fatalf("second sync changed things: %+v %v", rep, err)
	}
	plan.Sections[2].Items[0].Body = "Ангарск, ул. Мира, 1"
	rep, err = runSync(t, ws, mem, testOrg, plan, Options{}, ExecOptions{})
	if err != nil || rep.Updated != 1 || rep.Created != 0 || mem.Puts != puts+1 {
		t.Fatalf("a one-page edit: %+v %v (puts %d → %d)", rep, err, puts, mem.Puts)
	}
	rep, err = runSync(t, ws, mem, testOrg, plan, Options{Force: true}, ExecOptions{})
	if err != nil || rep.Updated != 7 || rep.Unchanged != 0 {
		t.Fatalf("--force sends every item again: %+v %v", rep, err)
	}
	diffs, err := Verify(context.Background(), mem, testOrg, testOps(t, plan))
	if err != nil || len(diffs) != 0 {
		t.Fatalf("verify %v %v", diffs, err)
	}
	ids, _ := ws.IDMap("3801", portalOf(t, mem))
	for k, e := range ids {
		if e.Status != store.ItemImported || !e.Created {
			t.Errorf("%s: %+v", k, e)
		}
	}
}

// failing fails writes of one key permanently.
type failing struct {
	*Memory
	key string
}

func (f failing) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	if key == f.key {
		return portal.PutResult{}, &StatusError{Status: 422, Problem: &portal.Problem{Status: 422, Title: "rejected", Field: "title"}}
	}
	return f.Memory.Put(ctx, site, key, obj)
}

func TestOneFailureDoesNotStopOthers(t *testing.T) {
	ws := store.TestStore(t)
	bad := ItemKey("3801", portal.KindPage, "/contacts.html")
	tgt := failing{NewMemory(), bad}
	rep, err := runSync(t, ws, tgt, testOrg, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Failed != 1 || rep.Permanent != 1 || rep.Created != 6 || rep.Errors[0].Key != bad || !rep.Errors[0].Permanent {
		t.Fatalf("%+v %v", rep, err)
	}
	if fix := rep.Errors[0].Fix; !strings.Contains(fix, "title") || !strings.Contains(fix, "http://old.example/contacts.html") {
		t.Errorf("a permanent failure must say what to change, for this item: %q", fix)
	}
	p := portalOf(t, tgt)
	ids, _ := ws.IDMap("3801", p)
	if e := ids["pages/"+bad]; e.Status != store.ItemFailed || !strings.Contains(e.LastError, "rejected") || e.Attempts != 1 {
		t.Fatalf("failed item in the ID map: %+v", e)
	}
	// The next run retries only the failed item.
	rep, err = runSync(t, ws, tgt.Memory, testOrg, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Created != 1 || rep.Unchanged != 6 {
		t.Fatalf("retry run: %+v %v", rep, err)
	}
	if e, _ := ws.IDMap("3801", p); e["pages/"+bad].Attempts != 2 || e["pages/"+bad].Status != store.ItemImported {
		t.Fatalf("attempts not counted: %+v", e["pages/"+bad])
	}
}

func TestDeleteGuards(t *testing.T) {
	ctx := context.Background()
	contactsKey := ItemKey("3801", portal.KindPage, "/contacts.html")
	withoutContacts := func() *mapping.Plan {
		p := testPlan()
		p.Sections = p.Sections[:2] // the contacts section and its page leave the plan
		return p
	}
	cases := []struct {
		name        string
		opt         Options
		exec        ExecOptions
		existed     bool // the contacts page was on the portal before perenos
		failOther   bool // another item fails in the same run
		wantDeleted int
		wantErr     error
		wantOnSite  bool
	}{
		{name: "no --sync keeps everything", wantOnSite: true},
		{name: "--sync deletes what perenos created", opt: Options{Sync: true}, wantDeleted: 2},
		{name: "--sync preserves what existed before", opt: Options{Sync: true}, existed: true, wantDeleted: 1, wantOnSite: true},
		{name: "no deletes after a failure", opt: Options{Sync: true}, failOther: true, wantOnSite: true},
		{name: "--max-delete stops the sync", opt: Options{Sync: true}, exec: ExecOptions{MaxDelete: 1}, wantErr: ErrTooManyDeletes, wantOnSite: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := store.TestStore(t)
			mem := NewMemory()
			if c.existed {
				mem.Put(ctx, "sh1", contactsKey, &portal.Page{Title: "старая"})
			}
			if _, err := runSync(t, ws, mem, testOrg, testPlan(), Options{}, ExecOptions{}); err != nil {
				t.Fatal(err)
			}
			var tgt Target = mem
			plan := withoutContacts()
			if c.failOther {
				plan.Sections[1].Items[0].Body += " (правка)"
				tgt = failing{mem, ItemKey("3801", portal.KindPage, "/sveden/paid_edu.html")}
			}
			rep, err := runSync(t, ws, tgt, testOrg, plan, c.opt, c.exec)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if rep.Deleted != c.wantDeleted {
				t.Errorf("deleted %d, want %d (%+v)", rep.Deleted, c.wantDeleted, rep)
			}
			_, gerr := mem.Get(ctx, "sh1", portal.KindPage, contactsKey)
			if onSite := gerr == nil; onSite != c.wantOnSite {
				t.Errorf("contacts page on the portal: %v, want %v", onSite, c.wantOnSite)
			}
			if (c.failOther || c.wantErr != nil) && rep.NotDeleted == "" {
				t.Error("skipped deletes are not explained")
			}
			if !c.opt.Sync && len(rep.Stale) != 2 {
				t.Errorf("stale items not listed: %v", rep.Stale)
			}
		})
	}
}

func TestLimitOnlyAndRollback(t *testing.T) {
	ctx := context.Background()
	ws := store.TestStore(t)
	mem := NewMemory()
	rep, err := runSync(t, ws, mem, testOrg, testPlan(), Options{Only: []portal.Kind{portal.KindSection}}, ExecOptions{})
	if err != nil || rep.Created != 3 || rep.Deferred != 4 {
		t.Fatalf("--only sections: %+v %v", rep, err)
	}
	rep, err = runSync(t, ws, mem, testOrg, testPlan(), Options{Limit: 2}, ExecOptions{})
	if err != nil || rep.Created != 2 || rep.Deferred != 2 || rep.Unchanged != 3 {
		t.Fatalf("--limit 2: %+v %v", rep, err)
	}
	rep, err = runSync(t, ws, mem, testOrg, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Created != 2 || rep.Unchanged != 5 {
		t.Fatalf("the rest: %+v %v", rep, err)
	}
	// A section that existed before perenos stays on rollback.
	mem2 := NewMemory()
	mem2.Put(ctx, "sh1", SectionKey("3801", "contacts"), &portal.Section{Title: "Контакты"})
	ws2 := store.TestStore(t)
	if _, err := runSync(t, ws2, mem2, testOrg, testPlan(), Options{}, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	p := portalOf(t, mem2)
	rb, err := Rollback(ctx, ws2, mem2, testOrg, p)
	if err != nil || rb.Deleted != 6 || rb.Preserved != 1 || rb.Absent != 0 {
		t.Fatalf("rollback: %+v %v", rb, err)
	}
	for _, kind := range append([]portal.Kind{portal.KindFile}, portal.ObjectKinds...) {
		keys, _ := mem2.List(ctx, "sh1", kind)
		want := 0
		if kind == portal.KindSection {
			want = 1
		}
		if len(keys) != want {
			t.Errorf("after rollback %s holds %v", kind, keys)
		}
	}
	if ids, _ := ws2.IDMap("3801", p); len(ids) != 0 {
		t.Errorf("rollback left the ID map with %d entries", len(ids))
	}
}

// TestQueueWaitsOnlyForWhatAStepNames: files and the root section go at
// once; a subsection waits for its parent, a page for its section, a
// document for its section and its file; nothing waits for a whole phase.
func TestQueueWaitsOnlyForWhatAStepNames(t *testing.T) {
	ops := testOps(t, testPlan())
	var steps []Step
	for _, o := range ops {
		steps = append(steps, Step{Op: o, Action: Create})
	}
	name := func(i int) string { return string(steps[i].Op.Kind) + "/" + steps[i].Op.Key }
	q := newQueue(steps)
	ctx := context.Background()
	var first []string
	for len(q.ready) > 0 {
		i, _ := q.take(ctx)
		first = append(first, name(i))
	}
	root, paid, contacts := SectionKey("3801", "sveden"), SectionKey("3801", "sveden/paid_edu"), SectionKey("3801", "contacts")
	file := "files/" + sha("устав")
	want := []string{"sections/" + root, "sections/" + contacts, file}
	if strings.Join(first, " ") != strings.Join(want, " ") {
		t.Fatalf("free at once: %v, want %v (in write order)", first, want)
	}
	index := map[string]int{}
	for i := range steps {
		index[name(i)] = i
	}
	// The contacts section done frees its page alone.
	q.done(index["sections/"+contacts])
	if i, _ := q.take(ctx); name(i) != "pages/"+ItemKey("3801", portal.KindPage, "/contacts.html") || len(q.ready) != 0 {
		t.Fatalf("after the contacts section: %s, then %d more", name(i), len(q.ready))
	}
	// The root frees the paid-services subsection; the document then
	// still waits for its file.
	q.done(index["sections/"+root])
	if i, _ := q.take(ctx); name(i) != "sections/"+paid {
		t.Fatalf("after the root: %s", name(i))
	}
	q.done(index["sections/"+paid])
	if i, _ := q.take(ctx); name(i) != "pages/"+ItemKey("3801", portal.KindPage, "/sveden/paid_edu.html") || len(q.ready) != 0 {
		t.Fatalf("after the subsection: %s, and %d more (the document must wait for its file)", name(i), len(q.ready))
	}
	q.done(index[file])
	if i, _ := q.take(ctx); name(i) != "documents/"+ItemKey("3801", portal.KindDocument, "/files/ustav.pdf") {
		t.Fatalf("after the file: %s", name(i))
	}
	if q.left() != 0 {
		t.Errorf("%d steps never handed out", q.left())
	}
}
