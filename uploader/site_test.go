package uploader_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/portal"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
)

var ustav = []byte("%PDF-1.4 Устав муниципального бюджетного общеобразовательного учреждения")

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// schoolPlan is a school's approved plan as real sites give it: several
// pages have no title of their own.
func schoolPlan() *mapping.Plan {
	const root = "/svedeniya-ob-obrazovatelnoy-organizatsii/"
	return &mapping.Plan{Org: "3801012345", Type: store.School, Sections: []mapping.SectionPlan{
		{ID: "sveden", Title: "Сведения об образовательной организации", PortalPath: root, Items: []mapping.Item{
			{Key: "/sveden/common.html", SourceURL: "http://sch7.example/sveden/common.html", Kind: mapping.KindPage, Body: "# Основные сведения\n\nМБОУ «СОШ № 7» г. Ангарска."},
			{Key: "/sveden/struct.html", SourceURL: "http://sch7.example/sveden/struct.html", Kind: mapping.KindPage, Body: "Директор, заместители, педагогический совет."},
		}},
		{ID: "sveden/paid_edu", Title: "Платные образовательные услуги", PortalPath: root + "platnye-obrazovatelnye-uslugi/", Parent: "sveden", Mandated: true, Items: []mapping.Item{
			{Key: "/sveden/paid_edu.html", SourceURL: "http://sch7.example/sveden/paid_edu.html", Kind: mapping.KindPage, Title: "Платные образовательные услуги",
				Body: "Кружок „Юный программист“ — 1 200 рублей. См. [устав](http://sch7.example/files/ustav.pdf)."},
			{Key: "/index.php?id=3", SourceURL: "http://sch7.example/index.php?id=3", Kind: mapping.KindPage, Body: "Договор об оказании услуг."},
		}},
		{ID: "sveden/document", Title: "Документы", PortalPath: root + "dokumenty/", Parent: "sveden", Mandated: true, Items: []mapping.Item{
			{Key: "/files/ustav.pdf", SourceURL: "http://sch7.example/files/ustav.pdf", Kind: mapping.KindDocument, FileName: "Устав_школы.pdf", Blob: shaHex(ustav), Size: int64(len(ustav)), DocKind: "устав"},
		}},
		{ID: "news", Title: "Новости", PortalPath: "/novosti/", Items: []mapping.Item{
			{Key: "/news/1.html", SourceURL: "http://sch7.example/news/1.html", Kind: mapping.KindNews, Date: "2023-09-01", Body: "## День знаний\n\nЛинейка в 9:00."},
		}},
		{ID: "contacts", Title: "Контакты", PortalPath: "/kontakty/", Items: []mapping.Item{
			{Key: "/o_shkole.html", SourceURL: "http://sch7.example/o_shkole.html", Kind: mapping.KindPage, Body: "Адрес: Ангарск, 7 микрорайон."},
			{Key: "/contacts.html#staff", SourceURL: "http://sch7.example/contacts.html", Kind: mapping.KindRecord, DocKind: "teachingStaff",
				Fields: map[string]string{"fio": "Иванова Мария Петровна", "post": "директор"}},
		}},
	}}
}

// schoolSite is the school's fixture; the crawl recorded the menu entry
// that led to the structure page.
func schoolSite(t *testing.T) *siteFixture {
	f := approvedSite(t, schoolPlan(), map[string][]byte{"ustav": ustav})
	_, _, err := f.ws.FinishPage(f.org.ID, store.Finish{Room: -1, Page: store.Page{URL: "http://sch7.example/sveden/struct.html", Kind: store.KindPage, Status: 200,
		Referrers: []store.Ref{{URL: "http://sch7.example/", Anchor: "  Структура и органы управления\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func objectCount(p *mapping.Plan) (objects, files int) {
	for _, s := range p.Sections {
		objects++
		for _, it := range s.Items {
			objects++
			if it.Kind == mapping.KindDocument {
				files++
			}
		}
	}
	return objects, files
}

// TestEveryItemGetsATitle is issue 15 item 6: pages without a title of
// their own got a permanent 422 from the portal, and the site failed on
// every run. Every item now leaves with the title a person would read.
func TestEveryItemGetsATitle(t *testing.T) {
	f := schoolSite(t)
	p := startPortal(t, t.TempDir())
	out := f.run(t, pipeline.Upload{Portal: p.portal()})
	if out.Error != "" || out.Upload == nil || out.Upload.Report.Failed != 0 {
		t.Fatalf("upload: %s %+v", out.Error, out.Upload)
	}
	ctx := context.Background()
	c := p.client()
	want := map[string]string{
		"/sveden/common.html":   "Основные сведения",              // its heading
		"/sveden/struct.html":   "Структура и органы управления",  // the menu entry that led to it
		"/index.php?id=3":       "Платные образовательные услуги", // nothing of its own: its section's title
		"/files/ustav.pdf":      "Устав школы",                    // its file's name
		"/news/1.html":          "День знаний",                    // its heading
		"/o_shkole.html":        "o shkole",                       // the last part of its address
		"/sveden/paid_edu.html": "Платные образовательные услуги", // its own
	}
	for key, title := range want {
		kind := portal.KindPage
		switch {
		case strings.HasPrefix(key, "/files/"):
			kind = portal.KindDocument
		case strings.HasPrefix(key, "/news/"):
			kind = portal.KindNews
		}
		obj, err := c.Get(ctx, fixtureSite, kind, uploader.ItemKey(f.org.ID, kind, key))
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if got, _ := titleOf(obj); got != title {
			t.Errorf("%s went up titled %q, want %q", key, got, title)
		}
	}
	if objects, files := p.counts(); objects != 13 || files != 1 {
		t.Errorf("the portal holds %d objects and %d files, want 13 (5 sections, 8 items) and 1", objects, files)
	}
}

func titleOf(obj portal.Object) (string, string) {
	switch o := obj.(type) {
	case *portal.Page:
		return o.Title, o.Path
	case *portal.NewsItem:
		return o.Title, o.Path
	case *portal.Document:
		return o.Title, o.Path
	}
	return "", ""
}

// TestPermanentErrorsSayWhatToChange: an item the portal refuses for good
// is reported with what a person must change, and the site's error says
// that running again will not help.
func TestPermanentErrorsSayWhatToChange(t *testing.T) {
	plan := schoolPlan()
	plan.Sections[3].Items[0].Body = strings.Repeat("Очень длинная новость. ", 400)
	f := approvedSite(t, plan, map[string][]byte{"ustav": ustav})
	hs, _ := server.TestServer(t, server.Config{MaxObjectSize: 4096}, fixtureSite)
	tgt := uploader.NewPortal(hs.URL, map[string]string{fixtureSite: server.TestToken(fixtureSite)}, uploader.PortalOptions{Retry: quickRetry})
	out := f.run(t, pipeline.Upload{Portal: uploader.Portal{Target: tgt}})
	rep := out.Upload.Report
	if rep.Failed != 1 || rep.Permanent != 1 || len(rep.Errors) != 1 {
		t.Fatalf("report %+v", rep)
	}
	e := rep.Errors[0]
	if !e.Permanent || !strings.Contains(e.Fix, "larger than the portal accepts") || !strings.Contains(e.Fix, "http://sch7.example/news/1.html") {
		t.Errorf("the refused item's fix: %q", e.Fix)
	}
	if strings.Contains(out.Error, "retries") || !strings.Contains(out.Error, "will not help") || !strings.Contains(out.Error, e.Fix) {
		t.Errorf("the site's error must say that running again will not help, and what to change: %s", out.Error)
	}
}

// TestUploadToAnotherPortalSendsWhatItLacks is issue 16 item 1: an upload
// to a second, empty portal printed "0 created, 73 unchanged" and moved
// the site. The ID map is per portal: the second portal gets everything,
// and, not being the site's target, moves no state.
func TestUploadToAnotherPortalSendsWhatItLacks(t *testing.T) {
	f := schoolSite(t)
	objects, files := objectCount(f.plan)
	prod := startPortal(t, t.TempDir())
	if out := f.run(t, pipeline.Upload{Portal: prod.portal()}, pipeline.Verify{Portal: prod.portal()}); out.Error != "" || out.State != store.Verified {
		t.Fatalf("upload and verify on the first portal: %s %s", out.State, out.Error)
	}
	target, err := uploader.SiteTarget(f.ws, f.org.ID)
	if err != nil || target == nil || string(target.Portal) != prod.srv.ID() {
		t.Fatalf("the site's target portal: %+v %v, want %s", target, err, prod.srv.ID())
	}

	staging := startPortal(t, t.TempDir())
	out := f.run(t, pipeline.Upload{Portal: staging.portal()})
	if out.Upload == nil || out.Upload.Report.Created != objects+files || out.Upload.Report.Unchanged != 0 {
		t.Fatalf("an upload to an empty second portal: %+v %s", out.Upload, out.Error)
	}
	if out.Skip == nil || out.Skip.Reason != pipeline.SkipOtherPortal || f.state(t) != store.Verified {
		t.Errorf("an upload to a portal other than the target moved the site: %s, skip %+v", f.state(t), out.Skip)
	}
	if o, fl := staging.counts(); o != objects || fl != files {
		t.Errorf("the second portal holds %d objects and %d files, want %d and %d", o, fl, objects, files)
	}
	if out := f.run(t, pipeline.Verify{Portal: staging.portal()}); out.Verify == nil || len(out.Verify.Differences) != 0 || f.state(t) != store.Verified {
		t.Errorf("verify on the second portal: %+v %s, state %s", out.Verify, out.Error, f.state(t))
	}

	// The first portal on another port is the same portal: nothing to send.
	prod.restart()
	out = f.run(t, pipeline.Upload{Portal: prod.portal()})
	if out.Error != "" || out.Upload.Report.Changed() != 0 || out.Skip != nil {
		t.Fatalf("the target portal on a new port: %+v %s %+v", out.Upload.Report, out.Error, out.Skip)
	}
	if t2, _ := uploader.SiteTarget(f.ws, f.org.ID); t2.URL != prod.hs.URL || t2.Portal != target.Portal {
		t.Errorf("the target's address was not brought up to date: %+v", t2)
	}

	// --retarget makes the second portal the target, recorded.
	out = f.run(t, pipeline.Upload{Portal: uploader.Portal{Target: staging.target(), Retarget: true}})
	if out.Skip != nil || out.Error != "" || out.State != store.Uploaded {
		t.Errorf("upload --retarget: %s %+v %s", out.State, out.Skip, out.Error)
	}
	if t3, _ := uploader.SiteTarget(f.ws, f.org.ID); t3 == nil || string(t3.Portal) != staging.srv.ID() {
		t.Errorf("the target after --retarget: %+v", t3)
	}
	events, _ := f.ws.Events(f.org.ID)
	if !slices.ContainsFunc(events, func(e store.Event) bool {
		return e.From == prod.srv.ID() && e.To == staging.srv.ID() && strings.Contains(e.Reason, "--retarget")
	}) {
		t.Errorf("the change of target portal is not in the event log: %+v", events)
	}
}

// TestVerifyFindsWhatThePortalLostAndUploadResendsIt: items the ID map
// claims but the portal lacks are found by verify and sent again by the
// next upload; --force sends everything; a rollback counts what the
// portal answered.
func TestVerifyFindsWhatThePortalLostAndUploadResendsIt(t *testing.T) {
	ctx := context.Background()
	f := schoolSite(t)
	objects, files := objectCount(f.plan)
	p := startPortal(t, t.TempDir())
	if out := f.run(t, pipeline.Upload{Portal: p.portal()}); out.Error != "" {
		t.Fatal(out.Error)
	}
	lost := uploader.ItemKey(f.org.ID, portal.KindPage, "/o_shkole.html")
	if err := p.client().Delete(ctx, fixtureSite, portal.KindPage, lost); err != nil {
		t.Fatal(err)
	}
	out := f.run(t, pipeline.Verify{Portal: p.portal()})
	if out.Verify == nil || len(out.Verify.Differences) != 1 || out.Verify.Differences[0].Key != lost || out.Error == "" {
		t.Fatalf("verify after the portal lost a page: %+v %s", out.Verify, out.Error)
	}
	out = f.run(t, pipeline.Upload{Portal: p.portal()})
	if rep := out.Upload.Report; out.Error != "" || rep.Created != 1 || rep.Updated != 0 || rep.Unchanged != objects+files-1 {
		t.Fatalf("the upload after verify must send the lost page again, and only it: %+v %s", rep, out.Error)
	}
	if out := f.run(t, pipeline.Verify{Portal: p.portal()}); out.Error != "" {
		t.Fatalf("verify after the resend: %s", out.Error)
	}
	out = f.run(t, pipeline.Upload{Portal: uploader.Portal{Target: p.target(), Plan: uploader.Options{Force: true}}})
	if rep := out.Upload.Report; rep.Updated != objects+files || rep.Unchanged != 0 {
		t.Errorf("--force: %+v", rep)
	}

	// The portal loses two more objects; a rollback says so.
	c := p.client()
	c.Delete(ctx, fixtureSite, portal.KindPage, lost)
	c.Delete(ctx, fixtureSite, portal.KindNews, uploader.ItemKey(f.org.ID, portal.KindNews, "/news/1.html"))
	out = f.run(t, pipeline.Rollback{Portal: p.portal()})
	if rb := out.Rollback; rb == nil || rb.Deleted != objects+files-2 || rb.Absent != 2 || out.Error != "" {
		t.Fatalf("rollback: %+v %s; want %d removed and 2 reported as not there", out.Rollback, out.Error, objects+files-2)
	}
	if o, fl := p.counts(); o != 0 || fl != 0 {
		t.Errorf("after the rollback the portal holds %d objects and %d files", o, fl)
	}
}

// TestUnreachablePortalStopsTheBatchNotTheSite is issue 16 item 7: verify
// against a portal nobody answers at moved the site to failed. It fails
// the command, naming the address, and no site.
func TestUnreachablePortalStopsTheBatchNotTheSite(t *testing.T) {
	f := schoolSite(t)
	p := startPortal(t, t.TempDir())
	if out := f.run(t, pipeline.Upload{Portal: p.portal()}); out.Error != "" {
		t.Fatal(out.Error)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := "http://" + ln.Addr().String()
	ln.Close()
	for _, step := range []pipeline.Step{
		pipeline.Verify{Portal: uploader.Portal{Target: uploader.NewPortal(nowhere, map[string]string{fixtureSite: "tok"}, uploader.PortalOptions{Retry: quickRetry})}},
		pipeline.Upload{Portal: uploader.Portal{Target: uploader.NewPortal(nowhere, map[string]string{fixtureSite: "tok"}, uploader.PortalOptions{Retry: quickRetry})}},
		pipeline.Rollback{Portal: uploader.Portal{Target: uploader.NewPortal(nowhere, map[string]string{fixtureSite: "tok"}, uploader.PortalOptions{Retry: quickRetry})}},
	} {
		r := &pipeline.Runner{WS: f.ws, Actor: "test"}
		orgs, _ := pipeline.Select(f.ws, pipeline.Selector{IDs: []string{f.org.ID}})
		res := r.Run(context.Background(), orgs, step)
		err := res.Err()
		if res.Failed != 0 || !uploader.IsUnreachable(err) || !strings.Contains(err.Error(), nowhere) || errors.Is(err, pipeline.ErrSomeFailed) {
			t.Errorf("%s against %s: %d failed, error %v; want no site failed and an error naming the address", step.Stage(), nowhere, res.Failed, err)
		}
		if st := f.state(t); st != store.Uploaded {
			t.Errorf("%s against %s moved the site to %s", step.Stage(), nowhere, st)
		}
	}
}

// dyingPortal is a reference portal that stops answering, for good, after
// it has served after requests: its listener closes and its connections
// drop, as a portal that dies mid-batch does.
func dyingPortal(t *testing.T, dir string, after int64) (*httptest.Server, *server.Server) {
	srv, err := server.NewServer(server.Config{DataFile: dir + "/portal.db", Tokens: map[string]string{fixtureSite: server.TestToken(fixtureSite), "sch8": server.TestToken("sch8")}})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var hs *httptest.Server
	hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > after {
			hs.Listener.Close()
			hs.CloseClientConnections()
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs, srv
}

// TestPortalDyingMidBatch: what was done stays recorded as done, the rest
// is untouched and reported, no site fails, and the next run finishes the
// job with nothing sent twice.
func TestPortalDyingMidBatch(t *testing.T) {
	f := schoolSite(t)
	second := store.Org{ID: "3801099999", Name: "МБОУ «СОШ № 8»", Type: store.School, PortalSite: "sch8"}
	f.ws.UpsertOrg("test", second)
	plan2 := schoolPlan()
	plan2.Org = second.ID
	f.ws.Update(mapping.SavePlan(plan2))
	for _, st := range []store.Stage{store.StageMap, store.StageReview, store.StageApprove} {
		f.ws.Advance(second.ID, st, "test", "")
	}
	dir := t.TempDir()
	hs, srv := dyingPortal(t, dir, 6) // the identity, then five writes
	tokens := map[string]string{fixtureSite: server.TestToken(fixtureSite), "sch8": server.TestToken("sch8")}
	tgt := uploader.NewPortal(hs.URL, tokens, uploader.PortalOptions{Retry: quickRetry})
	r := &pipeline.Runner{WS: f.ws, Actor: "test", SitesParallel: 1}
	orgs, _ := pipeline.Select(f.ws, pipeline.Selector{IDs: []string{f.org.ID, second.ID}})
	res := r.Run(context.Background(), orgs, pipeline.Upload{Portal: uploader.Portal{Target: tgt, Exec: uploader.ExecOptions{Concurrency: 1}}})
	if res.Failed != 0 || !uploader.IsUnreachable(res.Err()) || !strings.Contains(res.Err().Error(), hs.URL) {
		t.Fatalf("a portal that died mid-batch: %d failed, %v", res.Failed, res.Err())
	}
	first := res.Outcomes[0]
	rep := first.Upload.Report
	objects, files := objectCount(f.plan)
	if first.Skip == nil || first.Skip.Reason != pipeline.SkipStopped || rep.Created != 5 || rep.NotSent != objects+files-5 || rep.Failed != 0 {
		t.Errorf("the site the portal died under: skip %+v, report %+v", first.Skip, rep)
	}
	ids, _ := f.ws.IDMap(f.org.ID, store.PortalID(srv.ID()))
	if len(ids) != 5 {
		t.Errorf("the ID map records %d items, want the 5 the portal answered", len(ids))
	}
	if sk := res.Outcomes[1].Skip; sk == nil || sk.Reason != pipeline.SkipInterrupted {
		t.Errorf("the site after it: %+v, want it left for the next run", res.Outcomes[1])
	}
	for _, o := range []string{f.org.ID, second.ID} {
		if got, _ := f.ws.Org(o); got.State != store.Approved {
			t.Errorf("%s is %s after the portal died; no site fails for it", o, got.State)
		}
	}
	// The portal comes back (same storage, another port): the next run finishes.
	hs.Close()
	srv.Close()
	p := startPortal(t, dir, "sch8")
	res = r.Run(context.Background(), orgs, pipeline.Upload{Portal: p.portal()})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if rep := res.Outcomes[0].Upload.Report; rep.Created != objects+files-5 || rep.Unchanged != 5 {
		t.Errorf("the next run: %+v", rep)
	}
	objs, _, created, _ := p.srv.Counts(fixtureSite)
	objs2, _, _, _ := p.srv.Counts("sch8")
	if objs != objects || objs2 != objects || created != uint64(2*objects) {
		t.Errorf("the portal holds %d and %d objects, %d ever created; want %d each, each created once", objs, objs2, created, objects)
	}
}

// TestDryRunListsWhatItWouldDo: --dry-run goes through the DryRun
// wrapper: it lists the items it would create, update and delete, reads
// the portal, and writes neither to the portal nor to the ledger.
func TestDryRunListsWhatItWouldDo(t *testing.T) {
	f := schoolSite(t)
	p := startPortal(t, t.TempDir())
	if out := f.run(t, pipeline.Upload{Portal: p.portal()}); out.Error != "" {
		t.Fatal(out.Error)
	}
	// The plan changes: one page edited, one added, the contacts section gone.
	plan := schoolPlan()
	plan.Sections[0].Items[0].Body += "\n\nЛицензия № 1234."
	plan.Sections[1].Items = append(plan.Sections[1].Items, mapping.Item{Key: "/sveden/dogovor.html", SourceURL: "http://sch7.example/sveden/dogovor.html",
		Kind: mapping.KindPage, Title: "Образец договора", Body: "Текст договора."})
	plan.Sections = plan.Sections[:4]
	if err := f.ws.Update(mapping.SavePlan(plan)); err != nil {
		t.Fatal(err)
	}
	portalID := store.PortalID(p.srv.ID())
	before, _ := f.ws.IDMap(f.org.ID, portalID)
	objects, files := p.counts()
	eventsBefore, _ := f.ws.Events(f.org.ID)

	out := f.run(t, pipeline.Upload{Portal: uploader.Portal{Target: p.target(), Plan: uploader.Options{Sync: true}}, DryRun: true})
	if out.Skip == nil || out.Skip.Reason != pipeline.SkipDryRun || out.Upload == nil || out.Upload.DryRun == nil {
		t.Fatalf("dry run outcome %+v", out)
	}
	d := out.Upload.DryRun
	keys := func(ps []uploader.Planned) []string {
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Kind)+"/"+p.Key)
		}
		slices.Sort(out)
		return out
	}
	org := f.org.ID
	wantCreate := []string{"pages/" + uploader.ItemKey(org, portal.KindPage, "/sveden/dogovor.html")}
	wantUpdate := []string{"pages/" + uploader.ItemKey(org, portal.KindPage, "/sveden/common.html")}
	wantDelete := []string{"pages/" + uploader.ItemKey(org, portal.KindPage, "/o_shkole.html"),
		"records/" + uploader.ItemKey(org, portal.KindRecord, "/contacts.html#staff"), "sections/" + uploader.SectionKey(org, "contacts")}
	slices.Sort(wantDelete)
	if !slices.Equal(keys(d.Create), wantCreate) || !slices.Equal(keys(d.Update), wantUpdate) || !slices.Equal(keys(d.Delete), wantDelete) {
		t.Errorf("dry run lists\n create %v\n update %v\n delete %v\nwant\n create %v\n update %v\n delete %v", keys(d.Create), keys(d.Update), keys(d.Delete), wantCreate, wantUpdate, wantDelete)
	}
	if len(d.Create) == 1 && (d.Create[0].Title != "Образец договора" || d.Create[0].Source != "http://sch7.example/sveden/dogovor.html") {
		t.Errorf("a listed item says what it is: %+v", d.Create[0])
	}
	if o, fl := p.counts(); o != objects || fl != files {
		t.Errorf("the dry run changed the portal: %d objects, %d files; was %d, %d", o, fl, objects, files)
	}
	after, _ := f.ws.IDMap(f.org.ID, portalID)
	if len(after) != len(before) {
		t.Errorf("the dry run changed the ID map: %d entries, was %d", len(after), len(before))
	}
	for k, e := range before {
		if after[k] != e {
			t.Errorf("the dry run changed the ID map entry %s", k)
		}
	}
	if eventsAfter, _ := f.ws.Events(f.org.ID); len(eventsAfter) != len(eventsBefore) || f.state(t) != store.Uploaded {
		t.Errorf("the dry run logged %d events and left the site %s", len(eventsAfter)-len(eventsBefore), f.state(t))
	}
	// A real run does what the dry run listed.
	out = f.run(t, pipeline.Upload{Portal: uploader.Portal{Target: p.target(), Plan: uploader.Options{Sync: true}}})
	if rep := out.Upload.Report; out.Error != "" || rep.Created != 1 || rep.Updated != 1 || rep.Deleted != 3 {
		t.Errorf("the real run after the dry run: %+v %s", rep, out.Error)
	}
}
