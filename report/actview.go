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
	Title      string
	Number     string
	Version    int
	Issued     time.Time
	IssuedDate string // «12» ноября 2023 г.
	Region     string
	OrgName    string
	OrgID      string
	OrgType    string
	District   string
	LegacyURL  string // empty: the organisation had no site
	PortalSite string
	SiteURL    string
	Crawled    string
	Uploaded   string
	Verified   string
	Zone       string // the time zone of the act's dates
	Sections   []sectionRow
	Totals     sectionRow
	Gaps       []gapRow
	// Decided are the items a person excluded in review, with why and who:
	// the only exclusions the act lists one by one.
	Decided []itemRow
	// Auto counts the items excluded without a person's decision (copies,
	// print versions, addresses that do not answer or robots.txt forbids);
	// Unplaced, those left out of every section when the plan was approved.
	// The act gives their numbers; the plan lists them.
	Auto         int
	Unplaced     int
	Items        int
	Digest       string
	ManifestFile string
	Prior        string // what this act replaces; empty for a first act
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

func newActView(o *store.Org, act, prior *Act, plan *mapping.Plan, ovs []mapping.Override, st steps, opt ActOptions) *actView {
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
		Items: act.Items, Digest: act.ManifestSHA256, ManifestFile: path.Base(act.Manifest), Zone: zoneText(loc),
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
	decided := map[string]mapping.Override{}
	for _, ov := range ovs {
		if ov.Exclude != "" && ov.Note == "" { // a person's decision, not an automatic approval
			decided[ov.Key] = ov
		}
	}
	for _, it := range plan.Excluded {
		ov, ok := decided[it.Key]
		if !ok {
			v.Auto++
			continue
		}
		v.Decided = append(v.Decided, itemRow{Source: it.SourceURL, Title: it.Title,
			Reason: fmt.Sprintf("%s (%s, %s)", ov.Exclude, ov.Actor, shortDate(ov.At.In(loc)))})
	}
	v.Unplaced = len(plan.Unplaced)
	switch {
	case prior != nil && prior.Void != nil:
		v.Prior = fmt.Sprintf("Настоящий акт выдан взамен акта № %s, версия %d, от %s, аннулированного %s: %s.",
			prior.Number, prior.Version, shortDate(prior.Issued.In(loc)), shortDate(prior.Void.At.In(loc)), voidWhy(prior.Void))
	case prior != nil:
		state := "не подписана"
		if s := prior.Signature; s != nil {
			state = "подписана " + s.SignedBy + " " + signedOn(s.Date)
		}
		v.Prior = fmt.Sprintf("Настоящая версия %d заменяет версию %d акта № %s от %s (%s): контент сайта перенесён повторно и проверен заново.",
			act.Version, prior.Version, prior.Number, shortDate(prior.Issued.In(loc)), state)
	}
	return v
}

// voidWhy says in Russian why an act was voided.
func voidWhy(v *Void) string {
	if v.Rollback {
		return "перенесённое удалено с портала (откат переноса)"
	}
	return "по решению оператора («" + strings.TrimSuffix(v.Reason, ".") + "»)"
}

// zoneText names a time zone for the act: «Asia/Irkutsk, UTC+08:00».
func zoneText(loc *time.Location) string {
	_, off := time.Now().In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	name := zoneName(loc)
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	if name == "" || name == "UTC" || name == "Etc/UTC" {
		return utc
	}
	return name + ", " + utc
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

// decidedText introduces the items a person excluded.
func (v *actView) decidedText() string {
	return fmt.Sprintf("По решению организации при проверке плана не перенесено %s:",
		countOf(len(v.Decided), "материал", "материала", "материалов"))
}

// restText says in one sentence what else was not migrated, without a
// person's decision; "" when nothing was.
func (v *actView) restText() string {
	var parts []string
	if n := v.Auto; n > 0 {
		parts = append(parts, fmt.Sprintf("%s прежнего сайта %s без участия человека: это копии и повторы (версии для печати и для слабовидящих, "+
			"перенаправления, тот же материал по другому адресу), пустые страницы и адреса, которые не открылись или не загружались по правилам обхода",
			countOf(n, "материал", "материала", "материалов"), plural(n, "не перенесён", "не перенесены", "не перенесены")))
	}
	if n := v.Unplaced; n > 0 {
		parts = append(parts, fmt.Sprintf("%s при утверждении плана %s ни к одному разделу и %s",
			countOf(n, "материал", "материала", "материалов"), plural(n, "не отнесён", "не отнесены", "не отнесены"), plural(n, "не перенесён", "не перенесены", "не перенесены")))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + ". Их перечень с причинами — в плане переноса, утверждённом организацией."
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
