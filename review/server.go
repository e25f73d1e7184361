package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"perenos/extract"
	"perenos/mapping"
	"perenos/store"
)

// Backend is what the web UI needs of a workspace beyond the ledger's
// organisations, events and access records: plans and their sources,
// review decisions, and batch stages. review/ledger implements it.
type Backend interface {
	Plan(org string) (*mapping.Plan, error)
	Document(org, url string) (*extract.Document, error)
	// Original returns the legacy page's HTML, decoded to UTF-8.
	Original(org, url string) (string, error)
	Overrides(org string) ([]mapping.Override, error)
	// SaveOverrides replaces the site's decisions and rebuilds its plan.
	SaveOverrides(ctx context.Context, org string, ovs []mapping.Override) error
	// FillGap adds content typed or uploaded for a gap and rebuilds the plan.
	FillGap(ctx context.Context, org, section, gap string, it mapping.Item) error
	// PutFile keeps an uploaded file and returns its SHA-256 in hex.
	PutFile(data []byte) (string, error)
	// Profile is the mandated structure of an organisation type (nil if none).
	Profile(t store.OrgType) *mapping.Profile
	// Stages lists the batch stages the operator may start.
	Stages() []string
	// Approve approves a site's plan as perenos approve does: items left
	// for review go to their best candidate section as the approver's
	// decisions; open mandated gaps need withGaps. It returns a
	// *ApprovalRefused when the plan cannot be approved as asked.
	Approve(ctx context.Context, org, actor, note string, withGaps bool) error
	// Run runs a batch stage, reporting progress as lines of text.
	Run(ctx context.Context, stage string, orgs []string, actor string, progress func(string)) error
}

// Config sets up a Server.
type Config struct {
	WS      *store.Workspace
	Backend Backend
	// PublicURL is the address people reach the server at; invitation
	// links start with it.
	PublicURL string
	// SecureCookies marks cookies Secure (the public URL is https).
	SecureCookies bool
	// BehindProxy trusts X-Forwarded-For from the reverse proxy in front.
	BehindProxy bool
	// SessionTTL bounds a session's life (default 12 hours).
	SessionTTL time.Duration
	// LoginRate is how many attempts to log in to one account one address
	// may make per minute (default 5), at once or spread out. One address
	// may try twice as many in all, strangers to an account (browsers that
	// never logged in to it) twice as many together, and a browser that has
	// logged in to the account before as many on its own.
	LoginRate int
	// LoginKeys bounds each of those limits' memory: how many addresses,
	// accounts or browsers each keeps (default 10,000).
	LoginKeys int
	// MaxUpload bounds an uploaded file (default 50 MB).
	MaxUpload int64
	// Report, when set, is the coordinator report, shown to operators at
	// /report (the command passes report.Handler: review stays below report).
	Report http.Handler
	// Acts, when set, gives operators a site's completion acts at
	// /site/{org}/acts (the command passes an adapter over package report:
	// review stays below report).
	Acts ActsBackend
	// Location is the zone times are shown in while the workspace records
	// no region zone (perenos config tz): the roadmap's, say (default: the
	// server's local zone). The workspace's zone wins, read at every
	// request, so that a config tz handed to a running server shows at once.
	Location *time.Location
	Log      *slog.Logger
	Now      func() time.Time
}

// Server is the review web UI: one http.Handler.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	guard  guard
	limits struct{ addr, pair, account, device, invite *buckets }
	secret []byte // signs the device cookies
	jobs   *jobs
	edit   sync.Mutex // one plan edit at a time
	shown  shownLinks // invitation links just issued, each shown once
	zone   atomic.Pointer[regionZone]
	ctx    context.Context
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// NewServer makes the web UI over a workspace. ctx bounds the batch jobs
// it starts.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.WS == nil || cfg.Backend == nil {
		return nil, errors.New("review server needs a workspace and a backend")
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = 5
	}
	if cfg.LoginKeys == 0 {
		cfg.LoginKeys = 10000
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 50 << 20
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &Server{cfg: cfg, mux: http.NewServeMux(), guard: guard{now: cfg.Now}, jobs: newJobs(), ctx: ctx}
	n, k := cfg.LoginRate, cfg.LoginKeys
	s.limits.addr = newBuckets(rule{2 * n, time.Minute}, k)
	s.limits.pair = newBuckets(rule{n, time.Minute}, k)
	s.limits.account = newBuckets(rule{2 * n, time.Minute}, k)
	s.limits.device = newBuckets(rule{n, time.Minute}, k)
	s.limits.invite = newBuckets(rule{30, time.Minute}, k)
	secret, err := cfg.WS.AuthSecret()
	if err != nil {
		return nil, fmt.Errorf("review server: %w", err)
	}
	s.secret = secret
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) parseTemplates() error {
	layout, err := fs.ReadFile(templateFS, "templates/layout.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		body, err := fs.ReadFile(templateFS, n)
		if err != nil {
			return err
		}
		t, err := template.New("layout").Funcs(funcs(s.location)).Parse(string(layout))
		if err != nil {
			return fmt.Errorf("template layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /static/{file...}", s.static)
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /login", s.loginForm)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.logout)
	s.mux.HandleFunc("GET /invite/{token}", s.inviteForm)
	s.mux.HandleFunc("POST /invite", s.acceptInvite)
	s.mux.HandleFunc("GET /sites", s.operator(s.sites))
	s.mux.HandleFunc("POST /jobs", s.operator(s.startJob))
	s.mux.HandleFunc("GET /jobs/{id}", s.operator(s.jobPage))
	s.mux.HandleFunc("GET /site/{org}", s.site(s.siteView))
	s.mux.HandleFunc("GET /site/{org}/item", s.site(s.itemView))
	s.mux.HandleFunc("GET /site/{org}/events", s.site(s.eventsView))
	s.mux.HandleFunc("GET /site/{org}/gap", s.site(s.gapForm))
	s.mux.HandleFunc("GET /site/{org}/worksheet", s.site(s.worksheet))
	s.mux.HandleFunc("POST /site/{org}/gap", s.site(s.fillGap))
	s.mux.HandleFunc("POST /site/{org}/item/{action}", s.site(s.itemAction))
	s.mux.HandleFunc("POST /site/{org}/approve", s.site(s.approve))
	s.mux.HandleFunc("GET /site/{org}/invitations", s.siteOperator(s.invitationsPage))
	s.mux.HandleFunc("POST /site/{org}/invitations", s.siteOperator(s.issueInvitation))
	s.mux.HandleFunc("POST /site/{org}/invitations/revoke", s.siteOperator(s.revokeInvitations))
	s.mux.HandleFunc("GET /users", s.operator(s.usersPage))
	s.mux.HandleFunc("POST /users", s.operator(s.addUser))
	s.mux.HandleFunc("POST /users/password", s.operator(s.setPassword))
	s.mux.HandleFunc("POST /users/disable", s.operator(s.disableUser))
	s.mux.HandleFunc("GET /events", s.operator(s.regionLog))
	if s.cfg.Acts != nil {
		s.mux.HandleFunc("GET /site/{org}/acts", s.siteOperator(s.actsPage))
		s.mux.HandleFunc("GET /site/{org}/acts/{act}/{file}", s.siteOperator(s.actFile))
		s.mux.HandleFunc("POST /site/{org}/acts/issue", s.siteOperator(s.issueAct))
		s.mux.HandleFunc("POST /site/{org}/acts/sign", s.siteOperator(s.signAct))
		s.mux.HandleFunc("POST /site/{org}/acts/unsign", s.siteOperator(s.unsignAct))
		s.mux.HandleFunc("POST /site/{org}/acts/void", s.siteOperator(s.voidAct))
	}
	if s.cfg.Report != nil {
		s.mux.HandleFunc("GET /report", s.operator(func(w http.ResponseWriter, r *http.Request, _ *store.Session) {
			// The report draws its chart with inline SVG styles and holds no
			// legacy content, only counts and registry names, escaped.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'self'")
			s.cfg.Report.ServeHTTP(w, r)
		}))
	}
}

// static serves the UI's own files; a folder is not a file (no listings).
// Browsers keep them and ask again with the file's hash (ETag), so the
// editor's half a megabyte travels once per version, not per page.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := "static/" + r.PathValue("file")
	if !fs.ValidPath(name) {
		s.notFound(w, r, nil)
		return
	}
	st, err := fs.Stat(staticFS, name)
	if err != nil || st.IsDir() {
		s.notFound(w, r, nil)
		return
	}
	data, err := fs.ReadFile(staticFS, name)
	if err != nil {
		s.notFound(w, r, nil)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

// regionZone is the region's time zone as the workspace names it.
type regionZone struct {
	name string
	loc  *time.Location
}

// location is the zone every time is shown in: the workspace's region
// zone as of this request, else Config.Location.
func (s *Server) location() *time.Location {
	if z := s.zone.Load(); z != nil {
		return z.loc
	}
	return s.cfg.Location
}

// readZone reads the workspace's region zone for the request at hand.
func (s *Server) readZone() {
	c, err := s.cfg.WS.Config()
	if err != nil || c.TimeZone == "" {
		s.zone.Store(nil)
		return
	}
	if z := s.zone.Load(); z != nil && z.name == c.TimeZone {
		return
	}
	loc, err := store.LoadZone(c.TimeZone)
	if err != nil {
		s.cfg.Log.Warn("the workspace's time zone", "err", err)
		s.zone.Store(nil)
		return
	}
	s.zone.Store(&regionZone{c.TimeZone, loc})
}

// ServeHTTP sets the security headers every answer carries and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.readZone()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer") // invitation links carry a secret
	h.Set("Cache-Control", "no-store")
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// The mux's own answers are English plain text: answer as the UI.
		sess := s.session(r)
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			other := r.Clone(r.Context())
			other.Method = m
			if _, p := s.mux.Handler(other); p != "" && m != r.Method {
				h.Set("Allow", m)
				s.fail(w, r, sess, http.StatusMethodNotAllowed, "Эта страница так не открывается. Вернитесь назад и воспользуйтесь кнопками на странице.", nil)
				return
			}
		}
		s.notFound(w, r, sess)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// pageData is what every template gets: the session and the page's own data.
type pageData struct {
	Title string
	Sess  *store.Session
	Flash string
	D     any
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p pageData) {
	t := s.pages[name]
	if t == nil {
		s.cfg.Log.Error("no template", "template", name)
		http.Error(w, "Внутренняя ошибка: страница не построена", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.Execute(&b, p); err != nil {
		s.cfg.Log.Error("render page", "template", name, "err", err)
		http.Error(w, "Внутренняя ошибка: страница не построена", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail answers with an error page; internal errors are logged, not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sess *store.Session, status int, msg string, err error) {
	if err != nil {
		s.cfg.Log.Error("review request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, status, "error", pageData{Title: StatusTitle(status), Sess: sess, D: msg})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	s.fail(w, r, sess, http.StatusNotFound, "Страница не найдена.", nil)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	switch {
	case sess == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case sess.Role == RoleOperator:
		http.Redirect(w, r, "/sites", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/site/"+sess.Org, http.StatusSeeOther)
	}
}

// operator wraps a handler only operators may use; to anyone else it does not exist.
func (s *Server) operator(h func(http.ResponseWriter, *http.Request, *store.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess == nil {
			s.needLogin(w, r)
			return
		}
		if sess.Role != RoleOperator {
			s.notFound(w, r, sess)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, sess) {
			s.fail(w, r, sess, http.StatusForbidden, "Форма устарела или отправлена не с этой страницы. Обновите страницу и повторите.", nil)
			return
		}
		h(w, r, sess)
	}
}

// siteOperator wraps a handler of one organisation's pages that only
// operators use (invitations, acts): to an admin, even of that
// organisation, they do not exist.
func (s *Server) siteOperator(h func(http.ResponseWriter, *http.Request, *store.Session, *store.Org)) http.HandlerFunc {
	return s.operator(func(w http.ResponseWriter, r *http.Request, sess *store.Session) {
		org, err := s.cfg.WS.Org(r.PathValue("org"))
		if err != nil {
			s.notFound(w, r, sess)
			return
		}
		h(w, r, sess, org)
	})
}

// site wraps a handler of one organisation's pages: operators see every
// organisation, an admin only their own; any other answers 404.
func (s *Server) site(h func(http.ResponseWriter, *http.Request, *store.Session, *store.Org)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess == nil {
			s.needLogin(w, r)
			return
		}
		id := r.PathValue("org")
		if sess.Role != RoleOperator && sess.Org != id {
			s.notFound(w, r, sess)
			return
		}
		org, err := s.cfg.WS.Org(id)
		if err != nil {
			s.notFound(w, r, sess)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, sess) {
			s.fail(w, r, sess, http.StatusForbidden, "Форма устарела или отправлена не с этой страницы. Обновите страницу и повторите.", nil)
			return
		}
		h(w, r, sess, org)
	}
}

func (s *Server) needLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.fail(w, r, nil, http.StatusUnauthorized, "Сеанс закончился. Войдите снова.", nil)
}
