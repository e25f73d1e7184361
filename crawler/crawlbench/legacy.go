package crawlbench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// LegacySpec describes a synthetic region of legacy sites that look like
// those of Russian schools, kindergartens, hospitals and municipalities:
// each site has its own template (header, menu, sidebar, footer on every
// page), its mandated sections with staff tables, document lists and
// microdata, news, and attached PDF and DOCX files; some sites are in
// windows-1251; a few are large; several share one host as regional site
// constructors do; a few hosts are slow and a few fail. The same spec
// always yields the same region, so that the process serving it and the
// one crawling it agree on what it holds.
type LegacySpec struct {
	Sites      int           `json:"sites"`       // sites in the region, the large ones included
	Pages      int           `json:"pages"`       // HTML pages of an ordinary site
	LargeSites int           `json:"large_sites"` // sites with LargePages pages each
	LargePages int           `json:"large_pages"`
	Latency    time.Duration `json:"latency"` // added to every answer; slow hosts add SlowFactor times it
	// Delay is the batch's politeness delay; sites with a stricter
	// registry setting ask for twice it.
	Delay time.Duration `json:"delay"`
}

// SlowFactor is how many times the normal latency a slow host takes.
const SlowFactor = 8

// Trouble is what is wrong with a site's host.
type Trouble string

// The troubles a host may have.
const (
	TroubleNone   Trouble = ""
	TroubleSlow   Trouble = "slow"   // every answer takes SlowFactor times the latency
	TroubleDown   Trouble = "down"   // every connection is closed before an answer
	TroubleBroken Trouble = "broken" // every request is answered 500
)

// Theme is the CMS look of a site: its layout, URL style and charset.
type Theme string

// The themes of the region's sites.
const (
	ThemeTable       Theme = "table"       // a hand-made table layout of the 2000s, windows-1251, .html files
	ThemeBitrix      Theme = "bitrix"      // 1C-Bitrix: div layout, UTF-8, folders, /upload/iblock/ files
	ThemeWordPress   Theme = "wordpress"   // WordPress: UTF-8, transliterated slugs, /wp-content/uploads/
	ThemeJoomla      Theme = "joomla"      // Joomla: windows-1251 or UTF-8, module positions
	ThemeConstructor Theme = "constructor" // a regional site constructor: one template for all its sites
)

// LegacySite is one site of the region.
type LegacySite struct {
	Index   int    `json:"index"`
	ID      string `json:"id"` // the organisation's ИНН-like ID
	Name    string `json:"name"`
	Short   string `json:"short"`
	Type    string `json:"type"` // school, preschool, medical, municipal
	Town    string `json:"town"`
	Host    string `json:"host"`
	Prefix  string `json:"prefix"` // "/" or, on a shared host, "/sch12/"
	Theme   Theme  `json:"theme"`
	Charset string `json:"charset"` // utf-8 or windows-1251
	Pages   int    `json:"pages"`   // HTML pages it has
	// DelayMS and PerHost are the site's registry settings (0: the batch's).
	DelayMS int     `json:"delay_ms,omitempty"`
	PerHost int     `json:"per_host,omitempty"`
	Trouble Trouble `json:"trouble,omitempty"`
	Shared  bool    `json:"shared,omitempty"` // on a host with other sites
	Sitemap bool    `json:"sitemap,omitempty"`
	Large   bool    `json:"large,omitempty"`
}

// URL is the site's address as the registry lists it.
func (s *LegacySite) URL() string { return "http://" + s.Host + s.Prefix }

// Layout lays the region out: which sites are large, which share a host,
// which are slow or failing, their types, themes and charsets. Large
// sites come first, so that a batch starts them first.
func (spec LegacySpec) Layout() []LegacySite {
	n := spec.Sites
	large := min(spec.LargeSites, n)
	sites := make([]LegacySite, n)
	rng := rand.New(rand.NewPCG(uint64(n), 18))
	for i := range sites {
		s := &sites[i]
		s.Index, s.Pages, s.Prefix = i, spec.Pages, "/"
		s.ID = fmt.Sprintf("38%02d%06d", 1+i%40, 100000+i*7)
		s.Town = towns[i%len(towns)]
		s.Type = typeFor(rng.IntN(100))
		if i < large {
			s.Large, s.Pages = true, spec.LargePages
			s.Type = []string{"municipal", "medical", "school", "municipal", "medical"}[i%5]
		}
		s.Theme = []Theme{ThemeBitrix, ThemeWordPress, ThemeTable, ThemeJoomla, ThemeBitrix, ThemeWordPress, ThemeJoomla}[rng.IntN(7)]
		s.Sitemap = s.Theme == ThemeBitrix || (s.Theme == ThemeWordPress && i%2 == 0)
	}
	// The ordinary sites in a fixed shuffled order take the special roles,
	// so that they are spread through the batch.
	rest := make([]int, 0, n-large)
	for i := large; i < n; i++ {
		rest = append(rest, i)
	}
	rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
	take := func(k int) []int {
		k = min(k, len(rest))
		out := rest[:k]
		rest = rest[k:]
		return out
	}
	ord := len(rest)
	// several sites on one constructor's host, by path; the first of each
	// group asks for a stricter delay, which then holds for the host
	if ord >= 4 {
		shared := take(max(2, ord/30))
		groups := (len(shared) + constructorSize - 1) / constructorSize
		for k, i := range shared {
			s := &sites[i]
			s.Shared, s.Theme, s.Sitemap, s.Charset = true, ThemeConstructor, false, "utf-8"
			s.Host = fmt.Sprintf("edu-konstruktor%d.bench", 1+k%groups)
			s.Prefix = fmt.Sprintf("/%s%d/", typeSlug[s.Type], i)
			if k < groups {
				s.DelayMS = int(2 * spec.Delay / time.Millisecond)
			}
		}
	}
	for k, i := range take(max(1, ord/200)) {
		sites[i].Trouble = []Trouble{TroubleDown, TroubleBroken}[k%2]
	}
	if ord >= 4 {
		for k, i := range take(max(1, ord/150)) {
			sites[i].Trouble = TroubleSlow
			if k == 0 {
				sites[i].PerHost = 1
			}
		}
		for _, i := range take(max(1, ord/100)) {
			sites[i].DelayMS = int(2 * spec.Delay / time.Millisecond)
		}
	}
	for i := range sites {
		s := &sites[i]
		if s.Host == "" {
			s.Host = fmt.Sprintf("%s%d-%s.bench", typeSlug[s.Type], i, translit(s.Town))
		}
		if s.Charset == "" {
			s.Charset = "utf-8"
			if s.Theme == ThemeTable || (s.Theme == ThemeJoomla && i%3 != 0) {
				s.Charset = "windows-1251"
			}
		}
		s.Name, s.Short = orgName(s.Type, i, s.Town)
	}
	return sites
}

// constructorSize is how many sites share one constructor host at most.
const constructorSize = 6

func typeFor(r int) string {
	switch {
	case r < 45:
		return "school"
	case r < 75:
		return "preschool"
	case r < 87:
		return "medical"
	}
	return "municipal"
}

var typeSlug = map[string]string{"school": "sch", "preschool": "ds", "medical": "crb", "municipal": "adm"}

// towns are invented names of the region's towns, in the nominative and
// genitive ("школа г. Берёзовска").
var towns = []string{"Берёзовск", "Сосновогорск", "Каменск", "Озёрск", "Светлогорск", "Заречинск", "Кедровск",
	"Северогорск", "Ключевск", "Нагорск", "Добрянск", "Тальск", "Ивняковск", "Медвежинск", "Яснополянск",
	"Широкоречинск", "Горнозаводск", "Песчанск", "Луговск", "Белоярск"}

var translitTable = map[rune]string{'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "yu", 'я': "ya"}

// translit spells Russian text in Latin letters for slugs and host names.
func translit(s string) string {
	var b []byte
	for _, r := range strings.ToLower(s) {
		if t, ok := translitTable[r]; ok {
			b = append(b, t...)
		} else if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b = append(b, byte(r))
		} else if len(b) > 0 && b[len(b)-1] != '-' {
			b = append(b, '-')
		}
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// genitive makes the town's name genitive ("Берёзовск" → "Берёзовска").
func genitive(town string) string { return town + "а" }

// orgName is the full and short name of the i-th organisation.
func orgName(typ string, i int, town string) (string, string) {
	num := 1 + i%57
	switch typ {
	case "school":
		kinds := []string{"Средняя общеобразовательная школа", "Основная общеобразовательная школа", "Гимназия", "Лицей"}
		short := []string{"СОШ", "ООШ", "Гимназия", "Лицей"}
		k := i % 4
		return fmt.Sprintf("Муниципальное бюджетное общеобразовательное учреждение «%s № %d» г. %s", kinds[k], num, genitive(town)),
			fmt.Sprintf("МБОУ «%s № %d»", short[k], num)
	case "preschool":
		names := []string{"Солнышко", "Берёзка", "Ромашка", "Колокольчик", "Теремок", "Радуга", "Алёнушка", "Светлячок"}
		nm := names[i%len(names)]
		return fmt.Sprintf("Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № %d «%s»» г. %s", num, nm, genitive(town)),
			fmt.Sprintf("МБДОУ «Детский сад № %d «%s»»", num, nm)
	case "medical":
		if i%3 == 0 {
			return fmt.Sprintf("Областное государственное бюджетное учреждение здравоохранения «%sская районная больница»", stem(town)),
				fmt.Sprintf("ОГБУЗ «%sская РБ»", stem(town))
		}
		return fmt.Sprintf("Областное государственное бюджетное учреждение здравоохранения «%sская городская поликлиника № %d»", stem(town), 1+i%5),
			fmt.Sprintf("ОГБУЗ «%sская ГП № %d»", stem(town), 1+i%5)
	}
	return fmt.Sprintf("Администрация %sского муниципального района", stem(town)), fmt.Sprintf("Администрация %sского района", stem(town))
}

// stem drops the final «-ск» of a town for adjectives («Берёзовск» → «Берёзов»).
func stem(town string) string {
	r := []rune(town)
	if len(r) > 2 && string(r[len(r)-2:]) == "ск" {
		return string(r[:len(r)-2])
	}
	return town
}
