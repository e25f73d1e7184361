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

func testOps(t *testing.T, plan *mapping.Plan) []Op {
	t.Helper()
	org := &store.Org{ID: "3801", LegacyURL: "http://old.example/", PortalSite: "sh1"}
	files := map[string]string{sha("устав"): "устав"}
	ops, unresolved, err := BuildOps(org, plan, "", func(s string) (io.ReadCloser, error) {
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

// runSync plans and executes an upload, as pipeline.Upload does.
func runSync(t *testing.T, ws *store.Workspace, tgt Target, org *store.Org, plan *mapping.Plan, opt Options, exec ExecOptions) (*Report, error) {
	t.Helper()
	known, err := ws.IDMap(org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return MakePlan(testOps(t, plan), known, opt).Execute(context.Background(), ws, tgt, org, exec)
}

func TestSyncIsIdempotentAndMinimal(t *testing.T) {
	ws := store.TestStore(t)
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	mem := NewMemory()
	plan := testPlan()
	rep, err := runSync(t, ws, mem, org, plan, Options{}, ExecOptions{})
	if err != nil || rep.Created != 7 || rep.Failed != 0 {
		t.Fatalf("first sync %+v %v", rep, err)
	}
	page, _ := mem.Get(context.Background(), "sh1", portal.KindPage, ItemKey("3801", portal.KindPage, "/sveden/paid_edu.html"))
	for _, want := range []string{"(/sites/sh1/files/" + sha("устав") + "/ustav.pdf)", "(/sites/sh1/pages/" + ItemKey("3801", portal.KindPage, "/contacts.html") + ")"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("link not rewritten to %s: %s", want, page)
		}
	}
	puts := mem.Puts
	rep, err = runSync(t, ws, mem, org, plan, Options{}, ExecOptions{})
	if err != nil || rep.Changed() != 0 || rep.Unchanged != 7 || mem.Puts != puts {
		t.Fatalf("second sync changed things: %+v %v", rep, err)
	}
	plan.Sections[2].Items[0].Body = "Ангарск, ул. Мира, 1"
	rep, err = runSync(t, ws, mem, org, plan, Options{}, ExecOptions{})
	if err != nil || rep.Updated != 1 || rep.Created != 0 || mem.Puts != puts+1 {
		t.Fatalf("a one-page edit: %+v %v (puts %d → %d)", rep, err, puts, mem.Puts)
	}
	diffs, err := Verify(context.Background(), mem, org, testOps(t, plan))
	if err != nil || len(diffs) != 0 {
		t.Fatalf("verify %v %v", diffs, err)
	}
	ids, _ := ws.IDMap("3801")
	for k, e := range ids {
		if e.Status != store.ItemImported || !e.Created {
			t.Errorf("%s: %+v", k, e)
		}
	}
}

func TestDryRunPlanSendsNothing(t *testing.T) {
	ws := store.TestStore(t)
	mem := NewMemory()
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	p := MakePlan(testOps(t, testPlan()), map[string]store.IDEntry{}, Options{})
	if st := p.Stats(); st.Create != 7 || st.Update != 0 || mem.Puts != 0 {
		t.Fatalf("plan stats %+v", st)
	}
	if ids, _ := ws.IDMap(org.ID); len(ids) != 0 {
		t.Fatal("planning wrote the ID map")
	}
}

// failing fails writes of one key permanently.
type failing struct {
	*Memory
	key string
}

func (f failing) Put(ctx context.Context, site string, kind portal.Kind, key string, obj any) (portal.PutResult, error) {
	if key == f.key {
		return portal.PutResult{}, &PermanentError{&portal.Problem{Status: 422, Title: "rejected"}}
	}
	return f.Memory.Put(ctx, site, kind, key, obj)
}

func TestOneFailureDoesNotStopOthers(t *testing.T) {
	ws := store.TestStore(t)
	bad := ItemKey("3801", portal.KindPage, "/contacts.html")
	tgt := failing{NewMemory(), bad}
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	rep, err := runSync(t, ws, tgt, org, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Failed != 1 || rep.Created != 6 || rep.Errors[0].Key != bad || !rep.Errors[0].Permanent {
		t.Fatalf("%+v %v", rep, err)
	}
	ids, _ := ws.IDMap("3801")
	if e := ids["pages/"+bad]; e.Status != store.ItemFailed || !strings.Contains(e.LastError, "rejected") || e.Attempts != 1 {
		t.Fatalf("failed item in the ID map: %+v", e)
	}
	// The next run retries only the failed item.
	rep, err = runSync(t, ws, tgt.Memory, org, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Created != 1 || rep.Unchanged != 6 {
		t.Fatalf("retry run: %+v %v", rep, err)
	}
	if e, _ := ws.IDMap("3801"); e["pages/"+bad].Attempts != 2 || e["pages/"+bad].Status != store.ItemImported {
		t.Fatalf("attempts not counted: %+v", e["pages/"+bad])
	}
	var p *portal.Problem
	if !errors.As(error(&PermanentError{&portal.Problem{Status: 422}}), &p) {
		t.Fatal("a permanent error does not unwrap to its problem")
	}
}

func TestDeleteGuards(t *testing.T) {
	ctx := context.Background()
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
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
				mem.Put(ctx, "sh1", portal.KindPage, contactsKey, portal.Page{Title: "старая"})
			}
			if _, err := runSync(t, ws, mem, org, testPlan(), Options{}, ExecOptions{}); err != nil {
				t.Fatal(err)
			}
			var tgt Target = mem
			plan := withoutContacts()
			if c.failOther {
				plan.Sections[1].Items[0].Body += " (правка)"
				tgt = failing{mem, ItemKey("3801", portal.KindPage, "/sveden/paid_edu.html")}
			}
			rep, err := runSync(t, ws, tgt, org, plan, c.opt, c.exec)
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
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	mem := NewMemory()
	rep, err := runSync(t, ws, mem, org, testPlan(), Options{Only: []portal.Kind{portal.KindSection}}, ExecOptions{})
	if err != nil || rep.Created != 3 || rep.Deferred != 4 {
		t.Fatalf("--only sections: %+v %v", rep, err)
	}
	rep, err = runSync(t, ws, mem, org, testPlan(), Options{Limit: 2}, ExecOptions{})
	if err != nil || rep.Created != 2 || rep.Deferred != 2 || rep.Unchanged != 3 {
		t.Fatalf("--limit 2: %+v %v", rep, err)
	}
	rep, err = runSync(t, ws, mem, org, testPlan(), Options{}, ExecOptions{})
	if err != nil || rep.Created != 2 || rep.Unchanged != 5 {
		t.Fatalf("the rest: %+v %v", rep, err)
	}
	// A section that existed before perenos stays on rollback.
	mem2 := NewMemory()
	mem2.Put(ctx, "sh1", portal.KindSection, SectionKey("3801", "contacts"), portal.Section{Title: "Контакты"})
	ws2 := store.TestStore(t)
	if _, err := runSync(t, ws2, mem2, org, testPlan(), Options{}, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	rb, err := Rollback(ctx, ws2, mem2, org)
	if err != nil || rb.Deleted != 6 || rb.Preserved != 1 {
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
	if ids, _ := ws2.IDMap("3801"); len(ids) != 0 {
		t.Errorf("rollback left the ID map with %d entries", len(ids))
	}
}

// A document whose file is stored on another host (mapping.Item.Elsewhere)
// has no file to send: it is left out of the upload and of the redirects,
// instead of failing the site; the gaps worksheet asks the admin for it.
func TestDocumentStoredElsewhereIsNotUploaded(t *testing.T) {
	plan := testPlan()
	sp := &plan.Sections[1]
	sp.Items = append(sp.Items, mapping.Item{Key: "//drive.google.com/file/d/1/view", SourceURL: "https://drive.google.com/file/d/1/view", Kind: mapping.KindDocument,
		Title: "Положение о платных услугах", Elsewhere: "drive.google.com", Warning: mapping.ElsewhereWarning})
	ops := testOps(t, plan)
	for _, o := range ops {
		if o.Source == "https://drive.google.com/file/d/1/view" {
			t.Errorf("the document on a drive is uploaded: %+v", o)
		}
	}
	for _, r := range Redirects(&store.Org{ID: "3801", PortalSite: "sh1"}, plan, "https://portal.example") {
		if r.From == "https://drive.google.com/file/d/1/view" {
			t.Errorf("a redirect for a file the portal does not have: %+v", r)
		}
	}
}
