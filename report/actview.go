package report

import (
	"fmt"
	"path"
	"strings"
	"time"

	"perenos/mapping"
	"perenos/store"
)

// ActTitle is the title every act carries.
const ActTitle = "Акт о завершении миграции контента"

// actView is an act's content, ready for the PDF and HTML renderers.
type actView struct {
	Title        string
	Number       string
	Version      int
	Issued       time.Time
	IssuedDate   string // «12» ноября 2023 г.
	Region       string
	OrgName      string
	OrgID        string
	OrgType      string
	District     string
	LegacyURL    string // empty: the organisation had no site
	PortalSite   string
	SiteURL      string
	Crawled      string
	Uploaded     string
	Verified     string
	Sections     []sectionRow
	Totals       sectionRow
	Gaps         []gapRow
	Excluded     []itemRow
	Unplaced     []itemRow
	Items        int
	Digest       string
	ManifestFile string
	Prior        string // what this version replaces; empty for version 1
}

// sectionRow counts what was migrated into one section.
type sectionRow struct {
	Title     string
	Mandated  bool
	Pages     int
	Documents int
	Records   int
	News      int
}

// gapRow is mandated information the site still lacks.
type gapRow struct {
	Section string
	What    string
}

// itemRow is an item that was not migrated, and why.
type itemRow struct {
	Source string
	Title  string
	Reason string
}

func newActView(o *store.Org, act, prior *Act, plan *mapping.Plan, st steps, opt ActOptions) *actView {
	loc := opt.Location
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("02.01.2006 15:04")
	}
	v := &actView{
		Title: ActTitle, Number: act.Number, Version: act.Version, Issued: act.Issued, IssuedDate: longDate(act.Issued.In(loc)),
		Region: o.Region, OrgName: o.Name, OrgID: o.ID, OrgType: TypeName(o.Type), District: o.District,
		LegacyURL: o.LegacyURL, PortalSite: o.PortalSite, SiteURL: strings.ReplaceAll(opt.SiteURL, "{site}", o.PortalSite),
		Crawled: when(st.crawled), Uploaded: when(st.uploaded), Verified: when(st.verified),
		Items: act.Items, Digest: act.ManifestSHA256, ManifestFile: path.Base(act.Manifest),
	}
	if !o.HasLegacy() {
		v.Crawled = "не проводился: прежнего сайта нет"
	}
	for _, s := range plan.Sections {
		r := sectionRow{Title: s.Title, Mandated: s.Mandated}
		for _, it := range s.Items {
			switch it.Kind {
			case mapping.KindPage:
				r.Pages++
			case mapping.KindDocument:
				r.Documents++
			case mapping.KindRecord:
				r.Records++
			case mapping.KindNews:
				r.News++
			}
		}
		v.Totals.Pages += r.Pages
		v.Totals.Documents += r.Documents
		v.Totals.Records += r.Records
		v.Totals.News += r.News
		if s.Mandated || len(s.Items) > 0 {
			v.Sections = append(v.Sections, r)
		}
	}
	v.Totals.Title = "Итого"
	for _, g := range plan.Gaps {
		title := g.Section
		if s := plan.Section(g.Section); s != nil {
			title = s.Title
		}
		v.Gaps = append(v.Gaps, gapRow{Section: title, What: g.Why})
	}
	for _, it := range plan.Excluded {
		v.Excluded = append(v.Excluded, itemRow{Source: it.SourceURL, Title: it.Title, Reason: it.Reason})
	}
	for _, it := range plan.Unplaced {
		v.Unplaced = append(v.Unplaced, itemRow{Source: it.SourceURL, Title: it.Title, Reason: "не распределено по разделам при проверке и не перенесено"})
	}
	if prior != nil {
		state := "не подписана"
		if s := prior.Signature; s != nil {
			state = "подписана " + s.SignedBy + " " + signedOn(s.Date)
		}
		v.Prior = fmt.Sprintf("Настоящая версия %d заменяет версию %d акта № %s от %s (%s): контент сайта перенесён повторно и проверен заново.",
			act.Version, prior.Version, prior.Number, shortDate(prior.Issued.In(loc)), state)
	}
	return v
}

// signedOn turns 2023-11-20 into 20.11.2023.
func signedOn(date string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	return shortDate(t)
}

// legacyText is what the act says about the old site.
func (v *actView) legacyText() string {
	if v.LegacyURL == "" {
		return "прежнего официального сайта у организации нет: новый сайт наполнен без переноса"
	}
	return v.LegacyURL
}

// allMigratedText is what the act says when nothing was left behind.
func (v *actView) allMigratedText() string {
	if v.LegacyURL == "" {
		return "Нет: прежнего сайта не было."
	}
	return "Нет: перенесено всё содержимое прежнего сайта."
}

// gapsText is what the act says when nothing mandated is missing.
const noGapsText = "Нет: все обязательные разделы и сведения на новом сайте есть."

// intro is the act's opening statement.
func (v *actView) intro() string {
	if v.LegacyURL == "" {
		return "Настоящий акт составлен о том, что официальный сайт организации создан на федеральном портале и наполнен; " +
			"прежнего сайта у организации нет, переносить с него было нечего. Каждый размещённый материал прочитан с портала и совпал с утверждённым планом."
	}
	return "Настоящий акт составлен о том, что содержимое прежнего официального сайта организации перенесено на новый сайт на федеральном портале " +
		"и проверено: каждый перенесённый материал прочитан с портала и совпал с утверждённым организацией планом переноса."
}
