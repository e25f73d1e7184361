package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"perenos/store"
)

// ActsBackend is what the operator's act pages need of the completion
// acts: a site's acts, and issuing, signing, voiding a signing record,
// voiding an act and opening an act's files, with the same rules and
// checks as perenos act. Package report keeps the acts and review may not
// import it: cmd/perenos implements this over report. Refusals wrap the
// ErrAct… errors below, which the pages put in Russian.
type ActsBackend interface {
	// Acts lists a site's acts, oldest first.
	Acts(org string) ([]Act, error)
	// Issue issues the act of a verified site.
	Issue(ctx context.Context, org, actor string) (*IssuedAct, error)
	// Sign records the signed paper of the site's current act.
	Sign(ctx context.Context, org, actor string, in ActSigning) (*Act, error)
	// Unsign voids the current act's signing record, made by mistake.
	Unsign(org, actor, reason string) (*Act, error)
	// Void voids the site's current, unsigned act.
	Void(org, actor, reason string) (*Act, error)
	// Open opens one of the files of a site's act for download.
	Open(org string, f ActFile) (*ActDownload, error)
}

// Refusals of act changes, which ActsBackend's errors wrap.
var (
	ErrActNotVerified = errors.New("the site is not verified")
	ErrNoAct          = errors.New("no act was issued")
	ErrActSigned      = errors.New("the act is signed")
	ErrActVoided      = errors.New("the act is voided")
	ErrActNotSigned   = errors.New("the act is not signed")
	ErrBadScan        = errors.New("not a usable scan")
)

// MinActReason is the fewest characters a reason for voiding an act or a
// signing record must have (as perenos act void and unsign ask).
const MinActReason = 10

// Act is one version of a site's completion act.
type Act struct {
	// Seq is the act's place among the site's acts, 1 for the first
	// issued: it names the act in addresses (a voided act's successor has
	// a new number, whose versions count from 1 again).
	Seq      int
	Number   string // per region, e.g. 38-0001
	Version  int    // of the acts under that number
	Issued   time.Time
	IssuedBy string
	// Location is the zone the act's dates are printed in, and in which
	// the date on its signed paper is read.
	Location       *time.Location
	Items          int // lines of its manifest
	ManifestSHA256 string
	// ReplacesNumber and ReplacesVersion name the voided act this one was
	// issued in place of, if any.
	ReplacesNumber  string
	ReplacesVersion int
	Signature       *ActSignature
	// VoidedSignatures are signing records voided as wrong, oldest first.
	VoidedSignatures []VoidedActSignature
	Void             *ActVoid
}

// ActSignature records the signed paper of an act.
type ActSignature struct {
	SignedBy   string
	Date       string // the date on the paper, YYYY-MM-DD, a day in the act's zone
	ScanSHA256 string
	ScanFormat string // pdf, jpeg, png or tiff
	Recorded   time.Time
	RecordedBy string
}

// VoidedActSignature is a signing record an operator voided, and why.
type VoidedActSignature struct {
	ActSignature
	VoidedAt time.Time
	VoidedBy string
	Reason   string
}

// ActVoid records that an act no longer stands.
type ActVoid struct {
	At       time.Time
	By       string
	Reason   string
	Rollback bool // voided by a rollback of the site
}

// IssuedAct is what issuing gave: a new act, or the unsigned act that
// stands because the content is unchanged.
type IssuedAct struct {
	Act       Act
	Unchanged bool
}

// ActSigning is a signed paper act being recorded: who signed, the date
// written on it (YYYY-MM-DD, read in the act's zone) and its scan.
type ActSigning struct {
	SignedBy string
	Date     string
	Scan     []byte
}

// ActFileKind is one kind of file an act has.
type ActFileKind string

// The files of an act that the pages offer.
const (
	ActPDF      ActFileKind = "pdf"      // the act as issued
	ActManifest ActFileKind = "manifest" // the manifest of everything migrated
	ActScan     ActFileKind = "scan"     // a scan of its signed paper
)

// ActFile names one file of a site's act: by the act's Seq and the
// file's kind, and for a scan, whose signing record: 0 the standing one,
// n the n-th voided one.
type ActFile struct {
	Act       int
	Kind      ActFileKind
	Signature int
}

// ActDownload is an act's file, opened.
type ActDownload struct {
	Name        string // the file's name for the download
	ContentType string
	ModTime     time.Time
	Content     io.ReadSeekCloser
}

// Status is what stands of an act: «аннулирован», «подписан» or «выдан, не подписан».
func (a *Act) Status() string {
	switch {
	case a.Void != nil:
		return "аннулирован"
	case a.Signature != nil:
		return "подписан"
	}
	return "выдан, не подписан"
}

// StatusCode is the status as a class name: voided, signed or issued.
func (a *Act) StatusCode() string {
	switch {
	case a.Void != nil:
		return "voided"
	case a.Signature != nil:
		return "signed"
	}
	return "issued"
}

// zoneText names a time zone as the acts do: «Asia/Irkutsk, UTC+08:00»,
// or only the offset for a zone without a region's name.
func zoneText(loc *time.Location, at time.Time) string {
	_, off := at.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	switch name := loc.String(); name {
	case "", "Local", "UTC", "Etc/UTC":
		return utc
	default:
		return name + ", " + utc
	}
}

// day is a YYYY-MM-DD date as people read it: 20.12.2023.
func day(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("02.01.2006")
}

type actsData struct {
	Org       *store.Org
	Acts      []Act // newest first
	Current   *Act  // the latest act, if any
	CanIssue  bool
	CanSign   bool
	CanUnsign bool
	CanVoid   bool
	Today     string // today in the current act's zone, for the date field
	MinDate   string // the day the current act was issued, in its zone
	Zone      string
	MinReason int
	Error     string
	Form      struct{ SignedBy, Date, Reason string }
}

// actsPage shows every act of a site, newest first, with its status,
// signing records and files, and the forms that apply to the site now.
func (s *Server) actsPage(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	s.renderActs(w, r, sess, org, http.StatusOK, "", nil)
}

func (s *Server) renderActs(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org, status int, msg string, form *actsData) {
	acts, err := s.cfg.Acts.Acts(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать акты сайта.", err)
		return
	}
	d := actsData{Org: org, MinReason: MinActReason, Error: msg}
	if form != nil {
		d.Form = form.Form
	}
	for i := len(acts) - 1; i >= 0; i-- {
		if acts[i].Location == nil {
			acts[i].Location = s.location()
		}
		d.Acts = append(d.Acts, acts[i])
	}
	d.CanIssue = org.State == store.Verified
	if len(d.Acts) > 0 {
		cur := &d.Acts[0]
		d.Current = cur
		d.CanSign = cur.Void == nil && cur.Signature == nil && org.State == store.ActIssued
		d.CanUnsign = cur.Void == nil && cur.Signature != nil
		d.CanVoid = cur.Void == nil && cur.Signature == nil
		d.Today = s.cfg.Now().In(cur.Location).Format("2006-01-02")
		d.MinDate = cur.Issued.In(cur.Location).Format("2006-01-02")
		d.Zone = zoneText(cur.Location, s.cfg.Now())
		if d.Form.Date == "" {
			d.Form.Date = d.Today
		}
	}
	s.render(w, status, "acts", pageData{Title: "Акты: " + org.Name, Sess: sess, Flash: doneMessage(r), D: d})
}

func actsURL(org, done string) string {
	return "/site/" + url.PathEscape(org) + "/acts?done=" + done
}

// actRefusal puts an act backend's refusal in Russian; ok is false for an
// error that is not a refusal by the rules.
func actRefusal(err error) (msg string, ok bool) {
	switch {
	case errors.Is(err, ErrActNotVerified):
		return "Акт выдаётся только сайту, проверенному на портале: сначала выполните проверку на портале.", true
	case errors.Is(err, ErrNoAct):
		return "Акт этому сайту ещё не выдан.", true
	case errors.Is(err, ErrActVoided):
		return "Акт аннулирован: новый акт выдаётся, когда сайт снова проверен на портале.", true
	case errors.Is(err, ErrActSigned):
		return "Акт подписан: подписанный акт не подписывают снова и не аннулируют здесь. Если запись о подписании ошибочна, сначала аннулируйте её.", true
	case errors.Is(err, ErrActNotSigned):
		return "Акт не подписан: аннулировать нечего.", true
	case errors.Is(err, ErrBadScan):
		return "Файл не подходит как скан подписанного акта: нужен PDF, JPEG, PNG или TIFF размером не меньше 1 КБ, который открывается. Отсканируйте подписанный акт и приложите файл скана.", true
	}
	return "", false
}

// actFailed answers a refused or failed act change on the acts page.
func (s *Server) actFailed(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org, what string, err error, form *actsData) {
	if msg, ok := actRefusal(err); ok {
		s.renderActs(w, r, sess, org, http.StatusConflict, msg, form)
		return
	}
	s.cfg.Log.Error("act change failed", "org", org.ID, "what", what, "err", err)
	s.renderActs(w, r, sess, org, http.StatusInternalServerError, "Не удалось "+what+". Подробности — в журнале сервера.", form)
}

func (s *Server) issueAct(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	if org.State != store.Verified {
		s.renderActs(w, r, sess, org, http.StatusConflict, "Акт выдаётся сайту в состоянии «"+StateName(store.Verified)+"»; сейчас сайт в состоянии «"+StateName(org.State)+"».", nil)
		return
	}
	res, err := s.cfg.Acts.Issue(r.Context(), org.ID, sess.Actor)
	if err != nil {
		s.actFailed(w, r, sess, org, "выдать акт", err, nil)
		return
	}
	done := doneActIssued
	if res.Unchanged {
		done = doneActStands
	}
	http.Redirect(w, r, actsURL(org.ID, done), http.StatusSeeOther)
}

// signAct records the signed paper act: who signed, the date on it (a day
// in the act's zone, not before it was issued and not in the future) and
// the uploaded scan, which the backend checks as perenos act sign does.
func (s *Server) signAct(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	if err := r.ParseMultipartForm(s.cfg.MaxUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.renderActs(w, r, sess, org, http.StatusRequestEntityTooLarge, "Файл скана слишком велик или форма повреждена.", nil)
		return
	}
	var form actsData
	form.Form.SignedBy = strings.TrimSpace(r.FormValue("signed_by"))
	form.Form.Date = strings.TrimSpace(r.FormValue("date"))
	acts, err := s.cfg.Acts.Acts(org.ID)
	if err == nil && len(acts) == 0 {
		err = ErrNoAct
	}
	if err != nil {
		s.actFailed(w, r, sess, org, "подписать акт", err, &form)
		return
	}
	cur := acts[len(acts)-1]
	loc := cur.Location
	if loc == nil {
		loc = s.location()
	}
	if form.Form.SignedBy == "" {
		s.renderActs(w, r, sess, org, http.StatusBadRequest, "Укажите, кто подписал акт от организации.", &form)
		return
	}
	d, ok := parseDay(form.Form.Date, loc)
	switch {
	case !ok:
		s.renderActs(w, r, sess, org, http.StatusBadRequest, "Укажите дату, которая стоит на подписанном акте.", &form)
		return
	case d.Format("2006-01-02") < cur.Issued.In(loc).Format("2006-01-02"):
		s.renderActs(w, r, sess, org, http.StatusBadRequest, "Дата подписания раньше дня, когда акт выдан ("+cur.Issued.In(loc).Format("02.01.2006")+"): проверьте дату на бумаге.", &form)
		return
	case d.Format("2006-01-02") > s.cfg.Now().In(loc).Format("2006-01-02"):
		s.renderActs(w, r, sess, org, http.StatusBadRequest, "Дата подписания ещё не наступила: проверьте дату на бумаге.", &form)
		return
	}
	f, _, err := r.FormFile("scan")
	if err != nil {
		s.renderActs(w, r, sess, org, http.StatusBadRequest, "Приложите скан подписанного акта.", &form)
		return
	}
	scan, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxUpload+1))
	f.Close()
	if err != nil || int64(len(scan)) > s.cfg.MaxUpload {
		s.renderActs(w, r, sess, org, http.StatusRequestEntityTooLarge, "Файл скана не прочитан или слишком велик.", &form)
		return
	}
	if _, err := s.cfg.Acts.Sign(r.Context(), org.ID, sess.Actor, ActSigning{SignedBy: form.Form.SignedBy, Date: d.Format("2006-01-02"), Scan: scan}); err != nil {
		s.actFailed(w, r, sess, org, "записать подписание акта", err, &form)
		return
	}
	http.Redirect(w, r, actsURL(org.ID, doneActSigned), http.StatusSeeOther)
}

// reasonOf reads a voiding reason from the form; "" if it is too short.
func reasonOf(r *http.Request) (string, bool) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	return reason, utf8.RuneCountInString(reason) >= MinActReason
}

func (s *Server) unsignAct(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	s.changeAct(w, r, sess, org, "почему запись о подписании ошибочна", "аннулировать запись о подписании", s.cfg.Acts.Unsign, doneActUnsigned)
}

func (s *Server) voidAct(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	s.changeAct(w, r, sess, org, "почему акт больше не действует", "аннулировать акт", s.cfg.Acts.Void, doneActVoided)
}

// changeAct runs an operator's change of a site's act that needs a
// reason (void, unsign): ask names what the reason must say, what the
// change in an error, done the banner after it.
func (s *Server) changeAct(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org, ask, what string,
	change func(org, actor, reason string) (*Act, error), done string) {
	reason, ok := reasonOf(r)
	var form actsData
	form.Form.Reason = reason
	if !ok {
		s.renderActs(w, r, sess, org, http.StatusBadRequest, fmt.Sprintf("Укажите, %s: не меньше %s. Причина попадёт в журнал.", ask, Count(MinActReason, "символа", "символов", "символов")), &form)
		return
	}
	if _, err := change(org.ID, sess.Actor, reason); err != nil {
		s.actFailed(w, r, sess, org, what, err, &form)
		return
	}
	http.Redirect(w, r, actsURL(org.ID, done), http.StatusSeeOther)
}

// actFile sends one of an act's files through the server: the ledger says
// where it is, never the address.
func (s *Server) actFile(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	seq, err := strconv.Atoi(r.PathValue("act"))
	kind := ActFileKind(r.PathValue("file"))
	if err != nil || seq < 1 || (kind != ActPDF && kind != ActManifest && kind != ActScan) {
		s.notFound(w, r, sess)
		return
	}
	sig := 0
	if v := r.URL.Query().Get("signature"); v != "" {
		if sig, err = strconv.Atoi(v); err != nil || sig < 0 {
			s.notFound(w, r, sess)
			return
		}
	}
	dl, err := s.cfg.Acts.Open(org.ID, ActFile{Act: seq, Kind: kind, Signature: sig})
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.cfg.Log.Error("open act file", "org", org.ID, "act", seq, "file", kind, "err", err)
		}
		s.notFound(w, r, sess)
		return
	}
	defer dl.Content.Close()
	w.Header().Set("Content-Type", dl.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName(dl.Name)+`"`)
	http.ServeContent(w, r, dl.Name, dl.ModTime, dl.Content)
}

// downloadName keeps a file name safe in a header: letters, digits, dot,
// dash and underscore; anything else becomes an underscore.
func downloadName(n string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, n)
}
