package review

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"perenos/store"
)

// The kinds of events other packages log, which review may not import
// (report's acts and rollbacks, report/binding's domain checks). A test of
// cmd/perenos, which imports them all, checks that these are their values.
const (
	EventAct      store.EventKind = "act"
	EventRollback store.EventKind = "rollback"
	EventDomain   store.EventKind = "domain"
	// ActVoidedTo and SignatureVoidedTo are what an act event's To says
	// happened: the act was voided, or its signing record was.
	ActVoidedTo       = "voided"
	SignatureVoidedTo = "signature_voided"
	// DomainBoundTo is a domain event's To when the old domain leads to the portal.
	DomainBoundTo = "bound"
)

// EventKinds are the kinds of events, in the order the log's filter offers them.
var EventKinds = []store.EventKind{store.EventState, store.EventEdit, store.EventImport, EventAct, EventRollback, EventDomain}

var eventKindNames = map[store.EventKind]string{
	store.EventState: "смена состояния", store.EventEdit: "изменение", store.EventImport: "добавление из реестра",
	EventAct: "акт", EventRollback: "откат переноса", EventDomain: "проверка домена",
}

// EventKindName is an event's kind as the log's reader calls it.
func EventKindName(k store.EventKind) string { return nameOr(eventKindNames[k], "запись") }

// EventText says in Russian what an event records, from its typed fields:
// the states it moved between, what happened to an act or a domain, and
// the Russian parts of its reason (see EventReason). It never shows a
// machine's word (a state's code, an English summary).
func EventText(ev store.Event) string {
	why := EventReason(ev.Reason)
	var what string
	switch ev.Kind {
	case store.EventState:
		if ev.To != "" {
			what = StateName(store.State(ev.To))
			if ev.From != "" {
				what = StateName(store.State(ev.From)) + " → " + what
			}
		}
	case store.EventImport:
		what = "добавлено из реестра"
	case EventAct:
		switch ev.To {
		case ActVoidedTo:
			what = "акт аннулирован; его номер другому акту не присваивается"
		case SignatureVoidedTo:
			what = "запись о подписании акта аннулирована; акт ждёт подписи"
		default:
			what = "изменение акта"
		}
	case EventRollback:
		what = "откат: перенесённое удалено с портала"
	case EventDomain:
		if ev.To == DomainBoundTo {
			what = "старый домен ведёт на портал"
		} else {
			what = "старый домен пока не ведёт на портал"
		}
	case store.EventEdit:
		if ev.Org == store.UsersLog && why == "" {
			what = "изменена учётная запись оператора"
		}
	}
	switch {
	case what == "" && why == "":
		return "изменение"
	case what == "":
		return why
	case why == "":
		return what
	}
	return what + ": " + why
}

// EventReason is an event's reason as the UI shows it: the parts of it
// (joined by "; ", as the stages join them) that are Russian, by their
// first letter. The stages' English summaries are left out (the state
// change beside them says what happened), so that no line mixes two
// languages. The stages should record typed counts that the UI renders in
// Russian.
func EventReason(r string) string {
	var keep []string
	for part := range strings.SplitSeq(r, "; ") {
		for _, c := range part {
			if unicode.IsLetter(c) {
				if unicode.Is(unicode.Cyrillic, c) {
					keep = append(keep, part)
				}
				break
			}
		}
	}
	return strings.Join(keep, "; ")
}

// logOrgName names an event's organisation in the region's log: the
// pseudo-organisation of operator accounts in words.
func logOrgName(id string, names map[string]string) string {
	if id == store.UsersLog {
		return "учётные записи операторов"
	}
	return nameOr(names[id], id)
}

// eventsPerPage is how many events a page of the log shows.
const eventsPerPage = 50

// eventRow is one event as the log pages show it.
type eventRow struct {
	store.Event
	Text, KindName, OrgName string
	OrgLink                 bool // the organisation has a page
}

// pager is the position of a page in a list shown newest first.
type pager struct {
	Page, Pages, Total int
	First, Last        int // 1-based positions of the page's first and last rows
	Prev, Next         string
}

func newPager(total, page int, link func(page int) string) pager {
	p := pager{Total: total, Pages: max(1, (total+eventsPerPage-1)/eventsPerPage)}
	p.Page = min(max(page, 1), p.Pages)
	if total > 0 {
		p.First = (p.Page-1)*eventsPerPage + 1
		p.Last = min(total, p.Page*eventsPerPage)
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	return p
}

func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

type siteEventsData struct {
	Org    *store.Org
	Rows   []eventRow
	Pager  pager
	IsOper bool
}

// eventsView is a site's whole event log, newest first, a page at a time.
func (s *Server) eventsView(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	evs, err := s.cfg.WS.Events(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать журнал.", err)
		return
	}
	slices.Reverse(evs)
	base := "/site/" + url.PathEscape(org.ID) + "/events"
	p := newPager(len(evs), pageParam(r), func(n int) string { return base + "?page=" + strconv.Itoa(n) })
	d := siteEventsData{Org: org, Pager: p, IsOper: sess.Role == RoleOperator}
	if p.Total > 0 {
		for _, ev := range evs[p.First-1 : p.Last] {
			d.Rows = append(d.Rows, eventRow{Event: ev, Text: EventText(ev), KindName: EventKindName(ev.Kind)})
		}
	}
	s.render(w, http.StatusOK, "events", pageData{Title: "Журнал: " + org.Name, Sess: sess, D: d})
}

// logFilter is what the region's log is narrowed to.
type logFilter struct {
	Org, Kind, From, To string
	from, to            time.Time // the filter's bounds in the region's zone; zero when open
}

func (f *logFilter) match(ev *store.Event) bool {
	return (f.Org == "" || ev.Org == f.Org) && (f.Kind == "" || string(ev.Kind) == f.Kind) &&
		(f.from.IsZero() || !ev.Time.Before(f.from)) && (f.to.IsZero() || ev.Time.Before(f.to))
}

func (f *logFilter) query(page int) string {
	v := url.Values{}
	for k, val := range map[string]string{"org": f.Org, "kind": f.Kind, "from": f.From, "to": f.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/events"
	}
	return "/events?" + v.Encode()
}

// parseDay reads a day as a date field sends it (YYYY-MM-DD) or as people
// write it (DD.MM.YYYY): its midnight in loc.
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

type orgOption struct{ ID, Name string }

type regionLogData struct {
	Rows   []eventRow
	Pager  pager
	Filter logFilter
	Orgs   []orgOption
	Kinds  []store.EventKind
	Error  string
}

// regionLog is the region's recent events, newest first, narrowed by
// organisation, kind and days (in the region's zone), a page at a time.
// It reads the whole log once and keeps only the events up to the page
// asked for.
func (s *Server) regionLog(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	q := r.URL.Query()
	f := logFilter{Org: q.Get("org"), Kind: q.Get("kind"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	d := regionLogData{Kinds: EventKinds}
	if f.Kind != "" && !slices.Contains(EventKinds, store.EventKind(f.Kind)) {
		f.Kind = ""
	}
	if f.From != "" {
		if t, ok := parseDay(f.From, s.location()); ok {
			f.from = t
		} else {
			d.Error = "Дата «с» не распознана: укажите её как ДД.ММ.ГГГГ."
		}
	}
	if f.To != "" {
		if t, ok := parseDay(f.To, s.location()); ok {
			f.to = t.AddDate(0, 0, 1) // the whole day
		} else {
			d.Error = "Дата «по» не распознана: укажите её как ДД.ММ.ГГГГ."
		}
	}
	orgs, err := s.cfg.WS.Orgs()
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать реестр организаций.", err)
		return
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
		d.Orgs = append(d.Orgs, orgOption{o.ID, o.Name})
	}
	slices.SortFunc(d.Orgs, func(a, b orgOption) int { return strings.Compare(a.Name, b.Name) })
	d.Orgs = append(d.Orgs, orgOption{store.UsersLog, logOrgName(store.UsersLog, nil)})

	// The log is oldest first: keep the newest page*eventsPerPage matches.
	page := pageParam(r)
	keep := page * eventsPerPage
	var ring []store.Event
	total := 0
	err = s.cfg.WS.AllEvents(func(ev store.Event) error {
		if !f.match(&ev) {
			return nil
		}
		total++
		if len(ring) < keep {
			ring = append(ring, ev)
		} else {
			ring[(total-1)%keep] = ev
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать журнал.", err)
		return
	}
	// Newest first: the ring's last written slot holds the newest.
	newest := make([]store.Event, 0, len(ring))
	for i := range len(ring) {
		newest = append(newest, ring[(total-1-i)%keep])
	}
	d.Filter = f
	d.Pager = newPager(total, page, f.query)
	if d.Pager.Total > 0 { // a page past the last shows the last: the ring holds it
		for _, ev := range newest[d.Pager.First-1 : d.Pager.Last] {
			_, known := names[ev.Org]
			d.Rows = append(d.Rows, eventRow{Event: ev, Text: EventText(ev), KindName: EventKindName(ev.Kind), OrgName: logOrgName(ev.Org, names), OrgLink: known})
		}
	}
	s.render(w, http.StatusOK, "log", pageData{Title: "Журнал региона", Sess: sess, D: d})
}
