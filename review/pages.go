package review

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"perenos/mapping"
	"perenos/store"
)

// siteRow is one organisation in the operator's list.
type siteRow struct {
	Org                              *store.Org
	Placed, Unplaced, Excluded, Gaps int64
	HasPlan                          bool
	Pages, Attachments, FetchErrors  int64
}

type sitesData struct {
	Rows      []siteRow
	Types     []store.OrgType
	States    []store.State
	Districts []string
	Filter    struct{ Type, State, District, Q string }
	Stages    []string
	Jobs      []*Job
	Total     int
}

func (s *Server) sites(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	orgs, err := s.cfg.WS.Orgs()
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать реестр организаций.", err)
		return
	}
	d := sitesData{Types: store.OrgTypes, States: append(slices.Clone(store.Pipeline), store.Failed), Stages: s.cfg.Backend.Stages(), Jobs: s.jobs.list(), Total: len(orgs)}
	q := r.URL.Query()
	d.Filter.Type, d.Filter.State, d.Filter.District, d.Filter.Q = q.Get("type"), q.Get("state"), q.Get("district"), strings.TrimSpace(q.Get("q"))
	districts := map[string]bool{}
	for _, o := range orgs {
		if o.District != "" && !districts[o.District] {
			districts[o.District] = true
			d.Districts = append(d.Districts, o.District)
		}
		if d.Filter.Type != "" && string(o.Type) != d.Filter.Type ||
			d.Filter.State != "" && string(o.State) != d.Filter.State ||
			d.Filter.District != "" && o.District != d.Filter.District ||
			d.Filter.Q != "" && !strings.Contains(strings.ToLower(o.Name+" "+o.ID+" "+o.LegacyURL), strings.ToLower(d.Filter.Q)) {
			continue
		}
		row := siteRow{Org: o, Placed: o.Stats.Placed, Unplaced: o.Stats.Unplaced, Excluded: o.Stats.Excluded, Gaps: o.Stats.Gaps,
			Pages: o.Stats.Pages, Attachments: o.Stats.Attachments, FetchErrors: o.Stats.FetchErrors}
		hasPlan := o.Stats.Planned
		row.HasPlan = hasPlan
		d.Rows = append(d.Rows, row)
	}
	slices.Sort(d.Districts)
	s.render(w, http.StatusOK, "sites", pageData{Title: "Сайты региона", Sess: sess, D: d})
}

// sectionRow is a section of the site view with its depth in the tree.
type sectionRow struct {
	mapping.SectionPlan
	Depth int
	Gaps  []mapping.Gap
}

type siteData struct {
	Org        *store.Org
	Sections   []sectionRow
	Unplaced   []mapping.Item
	Excluded   []mapping.Item
	Groups     excludedGroups
	Personal   []mapping.PersonalItem
	Undecided  int // personal-data items placed without a decision
	Gaps       []mapping.Gap
	Placed     int
	Editable   bool
	CanApprove bool
	NoPlan     bool
	Events     []store.Event
	Titles     map[string]string // section ID → title, for candidates
	HasActs    bool              // the server shows acts (to operators)
}

// editable reports whether review decisions may still change a site's plan.
func editable(st store.State) bool {
	return st == store.Mapped || st == store.InReview || st == store.Approved
}

func (s *Server) siteView(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	d := siteData{Org: org, Editable: editable(org.State), CanApprove: org.State == store.Mapped || org.State == store.InReview, HasActs: s.cfg.Acts != nil}
	plan, err := s.cfg.Backend.Plan(org.ID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать план сайта.", err)
			return
		}
		d.NoPlan, d.Editable, d.CanApprove = true, false, false
	} else {
		d.Unplaced, d.Excluded, d.Gaps = plan.Unplaced, plan.Excluded, plan.Gaps
		d.Groups = groupExcluded(plan)
		ovs, err := s.cfg.Backend.Overrides(org.ID)
		if err != nil {
			s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать решения проверки.", err)
			return
		}
		d.Personal = mapping.PersonalItems(plan, ovs)
		d.Undecided = len(mapping.UndecidedPersonalData(plan, ovs))
		d.Sections = tree(plan)
		d.Placed, _, _ = plan.Counts()
		d.Titles = map[string]string{}
		for _, sp := range plan.Sections {
			d.Titles[sp.ID] = sp.Title
		}
	}
	evs, err := s.cfg.WS.Events(org.ID)
	if err == nil {
		slices.Reverse(evs)
		d.Events = evs[:min(len(evs), 10)]
	}
	s.render(w, http.StatusOK, "site", pageData{Title: org.Name, Sess: sess, Flash: doneMessage(r), D: d})
}

// tree orders a plan's sections parent first and gives each its depth and gaps.
func tree(p *mapping.Plan) []sectionRow {
	children := map[string][]int{}
	ids := map[string]bool{}
	for _, s := range p.Sections {
		ids[s.ID] = true
	}
	var roots []int
	for i, s := range p.Sections {
		if s.Parent != "" && ids[s.Parent] && s.Parent != s.ID {
			children[s.Parent] = append(children[s.Parent], i)
		} else {
			roots = append(roots, i)
		}
	}
	gaps := map[string][]mapping.Gap{}
	for _, g := range p.Gaps {
		gaps[g.Section] = append(gaps[g.Section], g)
	}
	var out []sectionRow
	seen := map[int]bool{}
	var walk func(i, depth int)
	walk = func(i, depth int) {
		if seen[i] {
			return
		}
		seen[i] = true
		s := p.Sections[i]
		out = append(out, sectionRow{SectionPlan: s, Depth: min(depth, 4), Gaps: gaps[s.ID]})
		for _, c := range children[s.ID] {
			walk(c, depth+1)
		}
	}
	for _, i := range roots {
		walk(i, 0)
	}
	for i := range p.Sections { // a parent cycle: show the rest flat
		walk(i, 0)
	}
	return out
}

// findItem locates an item of the plan by key: its section ("" when
// unplaced, "\x00excluded" when excluded).
func findItem(p *mapping.Plan, key string) (*mapping.Item, string) {
	for si := range p.Sections {
		for i := range p.Sections[si].Items {
			if p.Sections[si].Items[i].Key == key {
				return &p.Sections[si].Items[i], p.Sections[si].ID
			}
		}
	}
	for i := range p.Unplaced {
		if p.Unplaced[i].Key == key {
			return &p.Unplaced[i], ""
		}
	}
	for i := range p.Excluded {
		if p.Excluded[i].Key == key {
			return &p.Excluded[i], excludedHome
		}
	}
	return nil, ""
}

const excludedHome = "\x00excluded"

type itemData struct {
	Org        *store.Org
	Item       *mapping.Item
	Where      string // section title, «не размещено» or «исключено»
	Section    string
	Excluded   bool
	Sections   []sectionRow
	Override   *mapping.Override
	Preview    template.HTML
	Original   string // sanitised legacy page, shown in a sandboxed frame
	HasOrig    bool
	Dropped    []dropped
	Editable   bool
	EditBody   bool
	FieldNames []string
	Label      string
	Personal   string // why it looks like personal data, or ""
	Decided    bool   // a person placed or excluded it
}

type dropped struct{ Text, Why string }

func (s *Server) itemView(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	plan, err := s.cfg.Backend.Plan(org.ID)
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	key := r.URL.Query().Get("key")
	it, home := findItem(plan, key)
	if it == nil {
		s.notFound(w, r, sess)
		return
	}
	d := itemData{Org: org, Item: it, Section: home, Excluded: home == excludedHome, Sections: tree(plan), Editable: editable(org.State),
		EditBody: it.Kind == mapping.KindPage || it.Kind == mapping.KindNews}
	switch {
	case d.Excluded:
		d.Where = "исключено"
	case home == "":
		d.Where = "не размещено"
	default:
		d.Where = plan.Section(home).Title
	}
	if ovs, err := s.cfg.Backend.Overrides(org.ID); err == nil {
		for i := range ovs {
			if ovs[i].Key == key {
				d.Override = &ovs[i]
			}
		}
	}
	if it.Body != "" {
		d.Preview = RenderMarkdown(it.Body)
	}
	d.Label = Label(it)
	d.Personal, _ = mapping.PersonalData(it)
	d.Decided = d.Override != nil && (d.Override.Section != "" || d.Override.Exclude != "")
	for k := range it.Fields {
		d.FieldNames = append(d.FieldNames, k)
	}
	slices.Sort(d.FieldNames)
	if it.Kind == mapping.KindPage || it.Kind == mapping.KindNews {
		if html, err := s.cfg.Backend.Original(org.ID, it.SourceURL); err == nil {
			d.Original, d.HasOrig = SanitizeOriginal(html), true
		}
		if doc, err := s.cfg.Backend.Document(org.ID, it.SourceURL); err == nil {
			for _, dr := range doc.Dropped {
				d.Dropped = append(d.Dropped, dropped{dr.Text, dr.Why})
			}
		}
	}
	s.render(w, http.StatusOK, "item", pageData{Title: d.Label, Sess: sess, Flash: doneMessage(r), D: d})
}

// startReview moves a mapped or approved site (back) into review before a change.
func (s *Server) startReview(org *store.Org, actor, why string) error {
	switch org.State {
	case store.Mapped:
		return s.cfg.WS.Advance(org.ID, store.StageReview, actor, "проверка начата: "+why)
	case store.Approved:
		return s.cfg.WS.Advance(org.ID, store.StageReview, actor, "изменение после одобрения: "+why)
	}
	return nil
}

// itemAction applies one review decision: move, exclude, edit or restore.
func (s *Server) itemAction(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	if !editable(org.State) {
		s.fail(w, r, sess, http.StatusConflict, "Сайт в состоянии «"+nameOr(stateNames[org.State], string(org.State))+"»: изменения уже невозможны.", nil)
		return
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	plan, err := s.cfg.Backend.Plan(org.ID)
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	key := r.PostFormValue("key")
	it, home := findItem(plan, key)
	if it == nil {
		s.notFound(w, r, sess)
		return
	}
	ovs, err := s.cfg.Backend.Overrides(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать решения проверки.", err)
		return
	}
	idx := slices.IndexFunc(ovs, func(o mapping.Override) bool { return o.Key == key })
	ov := mapping.Override{Key: key}
	if idx >= 0 {
		ov = ovs[idx]
	}
	var what, done string
	switch r.PathValue("action") {
	case "move":
		to := r.PostFormValue("section")
		sp := plan.Section(to)
		if sp == nil {
			s.fail(w, r, sess, http.StatusBadRequest, "Такого раздела нет в структуре сайта.", nil)
			return
		}
		ov.Section, ov.Exclude = to, ""
		what, done = fmt.Sprintf("«%s» перемещено в раздел «%s»", Label(it), sp.Title), doneMoved
	case "exclude":
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			s.fail(w, r, sess, http.StatusBadRequest, "Укажите причину исключения: она попадёт в журнал.", nil)
			return
		}
		reason = store.ClipText(reason, store.MaxReason)
		ov.Exclude = reason
		what, done = fmt.Sprintf("«%s» исключено: %s", Label(it), reason), doneExcluded
	case "keep":
		// The admin decides that an item that looks like personal data is
		// published lawfully (consent, or the law requires it): it stays
		// where it is, and the basis goes to the log.
		basis := strings.TrimSpace(r.PostFormValue("basis"))
		if basis == "" {
			s.fail(w, r, sess, http.StatusBadRequest, "Укажите основание публикации (согласие, требование закона): оно попадёт в журнал.", nil)
			return
		}
		if home == "" || home == excludedHome {
			s.fail(w, r, sess, http.StatusBadRequest, "Сначала выберите раздел для этого материала.", nil)
			return
		}
		ov.Section, ov.Exclude = home, ""
		what, done = fmt.Sprintf("«%s» переносится, хотя похоже на персональные данные; основание: %s", Label(it), store.ClipText(basis, store.MaxReason)), doneKept
	case "edit":
		title := strings.TrimSpace(r.PostFormValue("title"))
		if title == "" {
			s.fail(w, r, sess, http.StatusBadRequest, "Заголовок не может быть пустым.", nil)
			return
		}
		ov.Title = &title
		what, done = fmt.Sprintf("изменён заголовок «%s» → «%s»", Label(it), title), doneEdited
		if r.PostForm.Has("body") {
			body := strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n")
			if body != it.Body {
				ov.Body = &body
				what += " и текст"
			}
		}
	case "restore":
		if idx < 0 {
			http.Redirect(w, r, itemURL(org.ID, key, ""), http.StatusSeeOther)
			return
		}
		ovs = slices.Delete(ovs, idx, idx+1)
		idx = -1
		ov = mapping.Override{}
		what, done = fmt.Sprintf("«%s»: решения проверки отменены, восстановлено как было", Label(it)), doneRestored
	default:
		s.notFound(w, r, sess)
		return
	}
	if ov.Key != "" {
		ov.SourceHash, ov.Actor, ov.At = it.SourceHash, sess.Actor, s.cfg.Now()
		if idx >= 0 {
			ovs[idx] = ov
		} else {
			ovs = append(ovs, ov)
		}
	}
	if err := s.startReview(org, sess.Actor, what); err != nil {
		s.fail(w, r, sess, http.StatusConflict, "Состояние сайта не позволяет изменение.", err)
		return
	}
	if err := s.cfg.Backend.SaveOverrides(r.Context(), org.ID, ovs); err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось сохранить решение.", err)
		return
	}
	if err := s.cfg.WS.Log(store.Event{Actor: sess.Actor, Org: org.ID, Kind: store.EventEdit, Reason: "проверка: " + what}); err != nil {
		s.cfg.Log.Error("log review decision", "org", org.ID, "err", err)
	}
	http.Redirect(w, r, itemURL(org.ID, key, done), http.StatusSeeOther)
}

// The banners shown after a change, by the code in the address's done=
// parameter. Only these are shown: a banner never repeats text from the
// address, which anyone can put in a link.
const (
	doneMoved     = "moved"
	doneExcluded  = "excluded"
	doneEdited    = "edited"
	doneRestored  = "restored"
	doneApproved  = "approved"
	doneGapFilled = "gap"
	doneKept      = "kept"

	doneRevoked         = "revoked"
	doneRevokedAll      = "revoked-all"
	doneNoneRevoked     = "none-revoked"
	doneUserAdded       = "user-added"
	donePasswordSet     = "password-set"
	donePasswordChanged = "password-changed"
	doneUserDisabled    = "user-disabled"
	doneActIssued       = "act-issued"
	doneActStands       = "act-stands"
	doneActSigned       = "act-signed"
	doneActUnsigned     = "act-unsigned"
	doneActVoided       = "act-voided"
)

var doneMessages = map[string]string{
	doneMoved:     "Сохранено: материал перемещён в выбранный раздел.",
	doneExcluded:  "Сохранено: материал исключён из переноса.",
	doneEdited:    "Сохранено: исправления внесены.",
	doneRestored:  "Сохранено: решения проверки отменены, материал восстановлен как было.",
	doneApproved:  "Сайт одобрен и передан оператору для загрузки на портал.",
	doneGapFilled: "Сохранено: пробел заполнен.",
	doneKept:      "Сохранено: материал переносится, основание записано в журнал.",

	doneRevoked:         "Приглашение отозвано: вход по нему закрыт, его сеансы завершены.",
	doneRevokedAll:      "Все приглашения организации отозваны: вход по ним закрыт, их сеансы завершены.",
	doneNoneRevoked:     "Отзывать нечего: такого действующего приглашения нет.",
	doneUserAdded:       "Оператор добавлен и может войти со своим паролем.",
	donePasswordSet:     "Пароль задан; прежние сеансы этой учётной записи завершены.",
	donePasswordChanged: "Пароль изменён, все ваши сеансы завершены: войдите с новым паролем.",
	doneUserDisabled:    "Учётная запись отключена: войти с ней нельзя, её сеансы завершены.",
	doneActIssued:       "Акт выдан. Скачайте PDF, распечатайте и передайте на подпись.",
	doneActStands:       "Содержимое сайта не изменилось: прежний неподписанный акт остаётся в силе.",
	doneActSigned:       "Подписание записано: акт подписан, скан сохранён.",
	doneActUnsigned:     "Запись о подписании аннулирована и сохранена как аннулированная; акт ждёт подписи.",
	doneActVoided:       "Акт аннулирован. Его номер другому акту не присваивается; новый акт выдаётся, когда сайт снова проверен на портале.",
}

// doneMessage is the banner for the request's done= code, or "".
func doneMessage(r *http.Request) string { return doneMessages[r.URL.Query().Get("done")] }

func itemURL(org, key, done string) string {
	v := url.Values{"key": {key}}
	if done != "" {
		v.Set("done", done)
	}
	return "/site/" + url.PathEscape(org) + "/item?" + v.Encode()
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	if org.State != store.Mapped && org.State != store.InReview {
		s.fail(w, r, sess, http.StatusConflict, "Одобрить можно только сайт, размещённый по разделам или находящийся на проверке.", nil)
		return
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	plan, err := s.cfg.Backend.Plan(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать план сайта.", err)
		return
	}
	ovs, err := s.cfg.Backend.Overrides(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать решения проверки.", err)
		return
	}
	if n := len(mapping.UndecidedPersonalData(plan, ovs)); n > 0 {
		s.fail(w, r, sess, http.StatusConflict, fmt.Sprintf("Одобрить пока нельзя: нет решения по %s с возможными персональными данными. Откройте их на странице сайта и решите, переносить ли.",
			Count(n, "материалу", "материалам", "материалам")), nil)
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	reason := "одобрено при проверке"
	if note != "" {
		reason += ": " + note
	}
	withGaps := r.PostFormValue("with_gaps") == "yes"
	if len(plan.Gaps) > 0 && !withGaps {
		s.fail(w, r, sess, http.StatusConflict, fmt.Sprintf("На сайте %s: подтвердите, что они будут заполнены вручную на портале, отметив это в форме одобрения.",
			Count(len(plan.Gaps), "незаполненный обязательный пробел", "незаполненных обязательных пробела", "незаполненных обязательных пробелов")), nil)
		return
	}
	if err := s.cfg.Backend.Approve(r.Context(), org.ID, sess.Actor, reason, withGaps); err != nil {
		s.fail(w, r, sess, http.StatusConflict, "Не удалось одобрить сайт.", err)
		return
	}
	http.Redirect(w, r, "/site/"+url.PathEscape(org.ID)+"?done="+doneApproved, http.StatusSeeOther)
}

type gapData struct {
	Org     *store.Org
	Gap     mapping.Gap
	Title   string // the section's title
	CanFill bool
}

func (s *Server) findGap(org string, r *http.Request) (*mapping.Gap, string, bool) {
	plan, err := s.cfg.Backend.Plan(org)
	if err != nil {
		return nil, "", false
	}
	sec, item := r.FormValue("section"), r.FormValue("item")
	for _, g := range plan.Gaps {
		if g.Section == sec && g.Item == item {
			sp := plan.Section(sec)
			if sp == nil {
				return nil, "", false
			}
			return &g, sp.Title, true
		}
	}
	return nil, "", false
}

func (s *Server) gapForm(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	g, title, ok := s.findGap(org.ID, r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	s.render(w, http.StatusOK, "gap", pageData{Title: "Заполнить пробел", Sess: sess, D: gapData{Org: org, Gap: *g, Title: title, CanFill: editable(org.State)}})
}

// fillGap adds a document or typed text to a section that lacks it.
func (s *Server) fillGap(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	if !editable(org.State) {
		s.fail(w, r, sess, http.StatusConflict, "Сайт в этом состоянии уже нельзя изменить.", nil)
		return
	}
	if err := r.ParseMultipartForm(s.cfg.MaxUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.fail(w, r, sess, http.StatusBadRequest, "Файл слишком велик или форма повреждена.", err)
		return
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	g, _, ok := s.findGap(org.ID, r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	title := strings.TrimSpace(r.FormValue("title"))
	if title == "" {
		s.fail(w, r, sess, http.StatusBadRequest, "Укажите заголовок.", nil)
		return
	}
	it := mapping.Item{Key: "manual/" + g.Section + "/" + g.Item + "/" + randomToken(6), Title: title, Kind: mapping.KindPage,
		Confidence: 1, Reasons: []string{"добавлено при проверке (" + sess.Actor + ")"}, Body: strings.ReplaceAll(r.FormValue("body"), "\r\n", "\n")}
	if f, hdr, err := r.FormFile("file"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxUpload+1))
		f.Close()
		if err != nil || int64(len(data)) > s.cfg.MaxUpload {
			s.fail(w, r, sess, http.StatusBadRequest, "Файл не прочитан или слишком велик.", err)
			return
		}
		sha, err := s.cfg.Backend.PutFile(data)
		if err != nil {
			s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось сохранить файл.", err)
			return
		}
		it.Kind, it.Blob, it.FileName, it.Size, it.Body = mapping.KindDocument, sha, cleanName(hdr.Filename), int64(len(data)), ""
	} else if strings.TrimSpace(it.Body) == "" {
		s.fail(w, r, sess, http.StatusBadRequest, "Приложите документ или введите текст.", nil)
		return
	}
	what := fmt.Sprintf("пробел «%s» заполнен: «%s»", g.Why, title)
	if err := s.startReview(org, sess.Actor, what); err != nil {
		s.fail(w, r, sess, http.StatusConflict, "Состояние сайта не позволяет изменение.", err)
		return
	}
	if err := s.cfg.Backend.FillGap(r.Context(), org.ID, g.Section, g.Item, it); err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось сохранить.", err)
		return
	}
	if err := s.cfg.WS.Log(store.Event{Actor: sess.Actor, Org: org.ID, Kind: store.EventEdit, Reason: "проверка: " + what}); err != nil {
		s.cfg.Log.Error("log gap fill", "org", org.ID, "err", err)
	}
	http.Redirect(w, r, "/site/"+url.PathEscape(org.ID)+"?done="+doneGapFilled, http.StatusSeeOther)
}

// cleanName keeps an uploaded file's base name, without path or control characters.
func cleanName(n string) string {
	n = n[strings.LastIndexAny(n, `/\`)+1:]
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if n == "" {
		n = "документ"
	}
	return n
}

// worksheet sends the manual-entry worksheet of the site's gaps as csv,
// xlsx or html.
func (s *Server) worksheet(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	format := r.URL.Query().Get("format")
	if !slices.Contains(mapping.WorksheetFormats, format) {
		format = "html"
	}
	plan, err := s.cfg.Backend.Plan(org.ID)
	prof := s.cfg.Backend.Profile(org.Type)
	if err != nil || prof == nil {
		s.notFound(w, r, sess)
		return
	}
	var buf bytes.Buffer
	if err := mapping.WriteWorksheet(&buf, format, org, mapping.Worksheet(prof, plan)); err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось составить лист ручного заполнения.", err)
		return
	}
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if format != "html" {
		w.Header().Set("Content-Disposition", `attachment; filename="worksheet-`+url.PathEscape(org.ID)+"."+format+`"`)
	}
	_, _ = w.Write(buf.Bytes())
}
