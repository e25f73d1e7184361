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
	if len(unresolved) != 1 || unresolved[0] != "http://old.example/gone.html" {
		t.Fatalf("unresolved links %v", unresolved)
	}
	return ops
}

func TestSyncIsIdempotentAndMinimal(t *testing.T) {
	ws := store.TestStore(t)
	org := &store.Org{ID: "3801", PortalSite: "sh1"}
	mem := NewMemory()
	plan := testPlan()
	rep, err := Sync(context.Background(), ws, mem, org, testOps(t, plan), Options{})
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
	rep, err = Sync(context.Background(), ws, mem, org, testOps(t, plan), Options{})
	if err != nil || rep.Changed() != 0 || rep.Unchanged != 7 || mem.Puts != puts {
		t.Fatalf("second sync changed things: %+v %v", rep, err)
	}
	plan.Sections[2].Items[0].Body = "Ангарск, ул. Мира, 1"
	rep, err = Sync(context.Background(), ws, mem, org, testOps(t, plan), Options{})
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

func TestDryRunSendsNothing(t *testing.T) {
	ws := store.TestStore(t)
	mem := NewMemory()
	rep, err := Sync(context.Background(), ws, mem, &store.Org{ID: "3801", PortalSite: "sh1"}, testOps(t, testPlan()), Options{DryRun: true})
	if err != nil || rep.Created != 7 || mem.Puts != 0 {
		t.Fatalf("dry run %+v %v puts=%d", rep, err, mem.Puts)
	}
	if ids, _ := ws.IDMap("3801"); len(ids) != 0 {
		t.Fatal("dry run wrote the ID map")
	}
}

// failing fails writes of one key permanently.
type failing struct {
	*Memory
	key string
}

func (f failing) Put(ctx context.Context, site string, kind portal.Kind, key string, obj any) (portal.PutResult, error) {
	if key == f.key {
		return portal.PutResult{}, &portal.Problem{Status: 422, Title: "rejected"}
	}
	return f.Memory.Put(ctx, site, kind, key, obj)
}

func TestOneFailureDoesNotStopOthers(t *testing.T) {
	ws := store.TestStore(t)
	bad := ItemKey("3801", portal.KindPage, "/contacts.html")
	tgt := failing{NewMemory(), bad}
	rep, err := Sync(context.Background(), ws, tgt, &store.Org{ID: "3801", PortalSite: "sh1"}, testOps(t, testPlan()), Options{})
	if err != nil || rep.Failed != 1 || rep.Created != 6 || rep.Errors[0].Key != bad {
		t.Fatalf("%+v %v", rep, err)
	}
	ids, _ := ws.IDMap("3801")
	if e := ids["pages/"+bad]; e.Status != store.ItemFailed || !strings.Contains(e.LastError, "rejected") || e.Attempts != 1 {
		t.Fatalf("failed item in the ID map: %+v", e)
	}
	var p *portal.Problem
	if !errors.As(&portal.Problem{Status: 422}, &p) {
		t.Fatal("problem is not an error")
	}
}
