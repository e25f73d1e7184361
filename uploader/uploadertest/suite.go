// Package uploadertest is the conformance suite every uploader.Target and
// every wrapper runs: the portal API client, the bundle (through the
// portal's bulk endpoint), the in-memory target, and the retry, rate-limit
// and dry-run wrappers around them. One suite, one set of expectations, as
// rclone's fstests does for its backends; a test that needs a capability
// the target lacks is skipped with the reason.
package uploadertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"

	"perenos/portal"
	"perenos/uploader"
)

// Opt describes the target under test.
type Opt struct {
	// New returns a fresh, empty target and the portal site it writes to.
	New func(t *testing.T) (uploader.Target, string)
	// Faulty, when set, returns a target whose portal first answers every
	// request with status (and Retry-After: 1 for 429 and 503) the given
	// number of times. Targets that do not retry leave it nil, and the
	// retry tests are skipped with a reason.
	Faulty func(t *testing.T, status, times int) (uploader.Target, string)
	// Requests, with Faulty, counts the requests the faulty portal saw.
	Requests func() int
	// DropsWrites marks a dry run: New's target wraps another (Unwrap),
	// every write must leave what is beneath untouched and be listed by
	// the target's Recorded, and reads must pass through.
	DropsWrites bool
}

// Run runs the suite.
func Run(t *testing.T, opt Opt) {
	t.Run("UpsertTwiceLeavesOne", func(t *testing.T) { upsertTwice(t, opt) })
	t.Run("FileAlreadyStoredIsNoOp", func(t *testing.T) { fileTwice(t, opt) })
	t.Run("HostileContentRoundTrips", func(t *testing.T) { hostileRoundTrip(t, opt) })
	t.Run("CancelledContextWritesNothing", func(t *testing.T) { cancelled(t, opt) })
	t.Run("DeleteRemoves", func(t *testing.T) { deletes(t, opt) })
	t.Run("IdentityIsStable", func(t *testing.T) { identity(t, opt) })
	t.Run("TransientRetriedPermanentNot", func(t *testing.T) { retries(t, opt) })
	t.Run("DryRunRecordsWritesReadsPassThrough", func(t *testing.T) { dryRun(t, opt) })
}

var ctx = context.Background()

// need returns the target's capability C, or skips the test saying which
// capability the target lacks.
func need[C any](t *testing.T, tgt uploader.Target, as func(uploader.Target) (C, bool), what string) C {
	t.Helper()
	c, ok := as(tgt)
	if !ok {
		t.Skipf("%T cannot %s (it lacks the capability, or what it wraps does)", tgt, what)
	}
	return c
}

func writesKept(t *testing.T, opt Opt) {
	t.Helper()
	if opt.DropsWrites {
		t.Skip("the target drops its writes (a dry run): there is nothing to read back; DryRunRecordsWritesReadsPassThrough covers it")
	}
}

func sectionObj(title string) *portal.Section {
	return &portal.Section{Title: title, Path: "/svedeniya/", Order: 1}
}

func section(t *testing.T, tgt uploader.Target, site, key string) portal.PutResult {
	t.Helper()
	res, err := tgt.Put(ctx, site, key, sectionObj("Сведения об образовательной организации"))
	if err != nil {
		t.Fatalf("put section %s: %v", key, err)
	}
	return res
}

func upsertTwice(t *testing.T, opt Opt) {
	writesKept(t, opt)
	tgt, site := opt.New(t)
	ls := need(t, tgt, uploader.AsLister, "list")
	first := section(t, tgt, site, "3801.s.sveden")
	again := section(t, tgt, site, "3801.s.sveden")
	changed, err := tgt.Put(ctx, site, "3801.s.sveden", sectionObj("Сведения (новая редакция)"))
	if err != nil {
		t.Fatal(err)
	}
	// Sending the same write again may answer as the first time did (an
	// idempotent retry); a changed object is a replace.
	if !first.Created || changed.Created {
		t.Errorf("created flags %v for the first put and %v for a changed one, want true then false", first.Created, changed.Created)
	}
	if first.ID != again.ID || first.ID != changed.ID {
		t.Errorf("the object's ID changed: %q, %q, %q", first.ID, again.ID, changed.ID)
	}
	keys, err := ls.List(ctx, site, portal.KindSection)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"3801.s.sveden"}) {
		t.Errorf("after three upserts of one key the site holds %v", keys)
	}
}

func randomFile(n int) uploader.File {
	data := make([]byte, n)
	rand.Read(data)
	sum := sha256.Sum256(data)
	return fileOf(hex.EncodeToString(sum[:]), data)
}

func fileOf(sha string, data []byte) uploader.File {
	return uploader.File{SHA256: sha, Size: int64(len(data)), Name: "файл.pdf",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func fileTwice(t *testing.T, opt Opt) {
	writesKept(t, opt)
	tgt, site := opt.New(t)
	f := randomFile(64 << 10)
	first, err := tgt.PutFile(ctx, site, f)
	if err != nil || !first.Created {
		t.Fatalf("first put: %+v %v", first, err)
	}
	second, err := tgt.PutFile(ctx, site, f)
	if err != nil || second.ID != first.ID {
		t.Fatalf("a file already stored must be a no-op: %+v %v", second, err)
	}
	rc, _ := f.Open()
	data, _ := io.ReadAll(rc)
	wrong := fileOf(hex.EncodeToString(make([]byte, 32)), append(data, 'x'))
	if _, err := tgt.PutFile(ctx, site, wrong); err == nil {
		t.Error("a file whose bytes do not match its hash was accepted")
	}
	ls := need(t, tgt, uploader.AsLister, "list")
	files, err := ls.List(ctx, site, portal.KindFile)
	if err != nil || !slices.Equal(files, []string{f.SHA256}) {
		t.Fatalf("files %v %v", files, err)
	}
}

func hostileRoundTrip(t *testing.T, opt Opt) {
	writesKept(t, opt)
	tgt, site := opt.New(t)
	rd := need(t, tgt, uploader.AsReader, "read back")
	section(t, tgt, site, "3801.s.sveden")
	big := randomFile(3 << 20)
	if _, err := tgt.PutFile(ctx, site, big); err != nil {
		t.Fatal(err)
	}
	objects := []struct {
		key string
		obj portal.Object
	}{
		{"3801.p.empty-00000001", &portal.Page{Section: "3801.s.sveden", Title: "Пустая страница", Path: "/svedeniya/pustaya-stranitsa", Body: ""}},
		{"3801.p.sveden-paid-edu-147e153f", &portal.Page{Section: "3801.s.sveden", Title: `Платные услуги: «Юный программист» — 1 200 ₽ & "ещё" ? <b>`,
			Path: "/svedeniya/platnye-uslugi",
			Body: "| Кружок | Цена |\n|---|---|\n| «Ладья» | 600 ₽ |\n\n<script>alert('ё')</script> ?a=1&b=2 é 中文", SourceURL: "http://sch7.demo/sveden/paid_edu.html?x=1&y='2'", Order: 3}},
		{"3801.d.files-ustav-pdf-2dee61a9", &portal.Document{Section: "3801.s.sveden", Title: "Устав МБОУ «СОШ № 7»", Path: "/svedeniya/ustav-shkoly.pdf", DocKind: "устав", Date: "2023-09-01",
			FileSHA256: big.SHA256, FileName: "Устав школы (редакция 2023).pdf", Size: big.Size}},
		{"3801.n.news-2023-09-01-1", &portal.NewsItem{Section: "3801.s.sveden", Title: "День знаний", Path: "/svedeniya/2023-09-01-den-znaniy", Date: "2023-09-01", Body: "Линейка в 9:00."}},
		{"3801.r.staff-1", &portal.Record{Section: "3801.s.sveden", RecordType: "teachingStaff",
			Fields: map[string]string{"fio": "Иванова Мария Петровна", "post": "учитель", "email": "m.ivanova@sch7.example"}}},
	}
	for _, o := range objects {
		if _, err := tgt.Put(ctx, site, o.key, o.obj); err != nil {
			t.Fatalf("put %s %s: %v", o.obj.Kind(), o.key, err)
		}
	}
	for _, o := range objects {
		got, err := rd.Get(ctx, site, o.obj.Kind(), o.key)
		if err != nil {
			t.Fatalf("get %s %s: %v", o.obj.Kind(), o.key, err)
		}
		if !reflect.DeepEqual(got, o.obj) {
			t.Errorf("%s %s changed on the way:\n sent %+v\n  got %+v", o.obj.Kind(), o.key, o.obj, got)
		}
	}
	rc, err := rd.GetFile(ctx, site, big.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	want, _ := big.Open()
	wantData, _ := io.ReadAll(want)
	if !bytes.Equal(got, wantData) {
		t.Errorf("a %d-byte attachment came back as %d different bytes", big.Size, len(got))
	}
}

func cancelled(t *testing.T, opt Opt) {
	tgt, site := opt.New(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tgt.Put(cctx, site, "3801.s.x", &portal.Section{Title: "x", Path: "/x/"}); err == nil {
		t.Error("a put with a cancelled context succeeded")
	}
	if _, err := tgt.PutFile(cctx, site, randomFile(1024)); err == nil {
		t.Error("a file put with a cancelled context succeeded")
	}
	if opt.DropsWrites {
		if d, ok := tgt.(interface{ Recorded() []uploader.Planned }); ok && len(d.Recorded()) > 0 {
			t.Errorf("a cancelled context recorded writes: %+v", d.Recorded())
		}
		return
	}
	ls := need(t, tgt, uploader.AsLister, "list")
	if keys, err := ls.List(ctx, site, portal.KindSection); err != nil || len(keys) != 0 {
		t.Errorf("a cancelled context wrote %v (%v)", keys, err)
	}
	if keys, err := ls.List(ctx, site, portal.KindFile); err != nil || len(keys) != 0 {
		t.Errorf("a cancelled context stored files %v (%v)", keys, err)
	}
}

func deletes(t *testing.T, opt Opt) {
	writesKept(t, opt)
	tgt, site := opt.New(t)
	del := need(t, tgt, uploader.AsDeleter, "delete")
	rd := need(t, tgt, uploader.AsReader, "read back")
	section(t, tgt, site, "3801.s.sveden")
	f := randomFile(2048)
	if _, err := tgt.PutFile(ctx, site, f); err != nil {
		t.Fatal(err)
	}
	if err := del.Delete(ctx, site, portal.KindSection, "3801.s.sveden"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := rd.Get(ctx, site, portal.KindSection, "3801.s.sveden"); !errors.Is(err, uploader.ErrNotFound) {
		t.Errorf("after delete: %v, want ErrNotFound", err)
	}
	if err := del.Delete(ctx, site, portal.KindSection, "3801.s.sveden"); !errors.Is(err, uploader.ErrNotFound) {
		t.Errorf("a second delete: %v, want ErrNotFound (the portal no longer holds it)", err)
	}
	if err := del.Delete(ctx, site, portal.KindFile, f.SHA256); err != nil {
		t.Fatalf("delete file: %v", err)
	}
	if _, err := rd.GetFile(ctx, site, f.SHA256); !errors.Is(err, uploader.ErrNotFound) {
		t.Errorf("after deleting the file: %v, want ErrNotFound", err)
	}
}

func identity(t *testing.T, opt Opt) {
	tgt, _ := opt.New(t)
	id := need(t, tgt, uploader.AsIdentifier, "name its portal")
	a, err := id.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := id.Identity(ctx)
	if err != nil || a.ID != b.ID || !portal.ValidKey(a.ID) {
		t.Errorf("identity %q then %q (%v): want one valid ID", a.ID, b.ID, err)
	}
	other, _ := opt.New(t)
	if o, ok := uploader.AsIdentifier(other); ok {
		if c, err := o.Identity(ctx); err == nil && c.ID == a.ID {
			t.Errorf("two fresh, empty portals both call themselves %q", a.ID)
		}
	}
}

func retries(t *testing.T, opt Opt) {
	if opt.Faulty == nil {
		t.Skip("the target does not retry (wrap it in uploader.WithRetry): there is nothing to test")
	}
	for _, c := range []struct {
		status    int
		retried   bool
		permanent bool
	}{
		{429, true, false}, {503, true, false}, {500, true, false},
		{400, false, true}, {403, false, true}, {422, false, true},
	} {
		tgt, site := opt.Faulty(t, c.status, 2)
		before := opt.Requests()
		_, err := tgt.Put(ctx, site, "3801.s.sveden", &portal.Section{Title: "Сведения", Path: "/s/"})
		sent := opt.Requests() - before
		switch {
		case c.retried && (err != nil || sent != 3):
			t.Errorf("%d twice, then success: %d requests, %v; want 3 and success", c.status, sent, err)
		case !c.retried && (err == nil || sent != 1):
			t.Errorf("%d: %d requests, %v; want one request and an error", c.status, sent, err)
		case c.permanent && !uploader.IsPermanent(err):
			t.Errorf("%d must be reported as permanent: %v", c.status, err)
		case c.permanent:
			var p *portal.Problem
			if !errors.As(err, &p) || p.Status != c.status {
				t.Errorf("%d: the portal's problem is lost: %v", c.status, err)
			}
		}
	}
}

func dryRun(t *testing.T, opt Opt) {
	if !opt.DropsWrites {
		t.Skip("the target keeps its writes: it is not a dry run")
	}
	tgt, site := opt.New(t)
	dry, ok := tgt.(interface {
		uploader.Target
		Unwrap() uploader.Target
		Recorded() []uploader.Planned
	})
	if !ok {
		t.Fatalf("%T drops writes but does not say what it recorded (Recorded) or what it wraps (Unwrap)", tgt)
	}
	under := dry.Unwrap()
	rd := need(t, tgt, uploader.AsReader, "read back")
	ls := need(t, under, uploader.AsLister, "list")
	// What the portal holds before: one section and one file.
	if _, err := under.Put(ctx, site, "3801.s.old", sectionObj("Было")); err != nil {
		t.Fatal(err)
	}
	oldFile := randomFile(512)
	if _, err := under.PutFile(ctx, site, oldFile); err != nil {
		t.Fatal(err)
	}
	// Reads pass through.
	if got, err := rd.Get(ctx, site, portal.KindSection, "3801.s.old"); err != nil || got.(*portal.Section).Title != "Было" {
		t.Fatalf("a read through the dry run: %+v %v", got, err)
	}
	// Writes are recorded as what they would be, and dropped.
	if res, err := tgt.Put(ctx, site, "3801.s.old", sectionObj("Стало")); err != nil || res.Created {
		t.Errorf("an update in a dry run: %+v %v", res, err)
	}
	if res, err := tgt.Put(ctx, site, "3801.s.new", sectionObj("Новый")); err != nil || !res.Created {
		t.Errorf("a create in a dry run: %+v %v", res, err)
	}
	newFile := randomFile(512)
	if _, err := tgt.PutFile(ctx, site, newFile); err != nil {
		t.Error(err)
	}
	if _, err := tgt.PutFile(ctx, site, oldFile); err != nil {
		t.Error(err)
	}
	if del, ok := uploader.AsDeleter(tgt); ok {
		if err := del.Delete(ctx, site, portal.KindSection, "3801.s.old"); err != nil {
			t.Errorf("a delete in a dry run: %v", err)
		}
		if err := del.Delete(ctx, site, portal.KindSection, "3801.s.never"); !errors.Is(err, uploader.ErrNotFound) {
			t.Errorf("a dry delete of what is not there: %v, want ErrNotFound", err)
		}
	}
	got := dry.Recorded()
	want := []struct {
		action uploader.Action
		kind   portal.Kind
		key    string
	}{{uploader.Update, portal.KindSection, "3801.s.old"}, {uploader.Create, portal.KindSection, "3801.s.new"},
		{uploader.Create, portal.KindFile, newFile.SHA256}, {uploader.Delete, portal.KindSection, "3801.s.old"}}
	if len(got) != len(want) {
		t.Fatalf("recorded %+v, want %d writes", got, len(want))
	}
	for i, w := range want {
		if got[i].Action != w.action || got[i].Kind != w.kind || got[i].Key != w.key {
			t.Errorf("write %d recorded as %+v, want %s %s %s", i, got[i], w.action, w.kind, w.key)
		}
	}
	// Nothing reached the portal.
	secs, _ := ls.List(ctx, site, portal.KindSection)
	files, _ := ls.List(ctx, site, portal.KindFile)
	if !slices.Equal(secs, []string{"3801.s.old"}) || !slices.Equal(files, []string{oldFile.SHA256}) {
		t.Errorf("after the dry run the portal holds sections %v and files %v", secs, files)
	}
	if s, _ := rd.Get(ctx, site, portal.KindSection, "3801.s.old"); s.(*portal.Section).Title != "Было" {
		t.Errorf("the dry run changed the portal's copy: %+v", s)
	}
}
