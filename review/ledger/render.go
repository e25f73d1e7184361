package ledger

import (
	"fmt"

	"perenos/pipeline"
	"perenos/store"
)

// stageName is a stage as the operator's web UI names it.
func stageName(st store.Stage) string {
	switch st {
	case store.StageCrawl:
		return "обход"
	case store.StageExtract:
		return "извлечение"
	case store.StageMap:
		return "разметка"
	case store.StageReview:
		return "проверка"
	case store.StageApprove:
		return "одобрение"
	case store.StageUpload:
		return "выгрузка"
	case store.StageVerify:
		return "сверка"
	case store.StageAct:
		return "акт"
	case store.StageSign:
		return "подписание"
	}
	return string(st)
}

// describe says in Russian what the last step of an outcome did, from
// its typed counts (the CLI says the same in English).
func describe(o pipeline.Outcome) string {
	switch {
	case o.Crawl != nil && o.Stage == store.StageCrawl:
		c := o.Crawl
		s := fmt.Sprintf("страниц %d, файлов %d, ошибок %d", c.Pages, c.Attachments, c.Errors)
		if d := c.Changes; d != nil {
			s += fmt.Sprintf("; с прошлого обхода новых %d, изменённых %d, без изменений %d, исчезло %d", d.New, d.Changed, d.Unchanged, d.Gone)
		}
		return s
	case o.Extract != nil && o.Stage == store.StageExtract:
		e := o.Extract
		return fmt.Sprintf("документов %d из страниц %d (не извлечено %d); файлов прочитано %d (сканов без текста %d, нечитаемых %d)",
			e.Documents, e.Pages, e.Failed, e.Attachments, e.Scans, e.Unreadable)
	case o.Map != nil && o.Stage == store.StageMap:
		m := o.Map
		return fmt.Sprintf("размещено %d, на проверку %d, исключено %d, пробелов %d", m.Placed, m.Unplaced, m.Excluded, m.Gaps)
	case o.Upload != nil && o.Upload.Report != nil:
		r := o.Upload.Report
		return fmt.Sprintf("создано %d, обновлено %d, без изменений %d", r.Created, r.Updated, r.Unchanged)
	case o.Verify != nil:
		return fmt.Sprintf("все %d объектов совпадают с планом", o.Verify.Items)
	}
	return "готово"
}

// skipText says in Russian why a step was skipped.
func skipText(sk *pipeline.Skip) string {
	switch sk.Reason {
	case pipeline.SkipNoLegacy:
		return "у организации нет старого сайта"
	case pipeline.SkipNotReady:
		return "этап пока не может выполняться для сайта в этом состоянии"
	case pipeline.SkipBusy:
		return "с сайтом уже работает другое задание"
	case pipeline.SkipInterrupted:
		return "прервано; запустите снова, работа продолжится"
	case pipeline.SkipDryRun:
		return "пробный запуск, ничего не отправлено"
	case pipeline.SkipDeferred:
		return "часть объектов отложена до следующего запуска"
	case pipeline.SkipActSigned:
		return "акт подписан, откат невозможен"
	case pipeline.SkipGapsOpen:
		return "остались незаполненные обязательные пробелы, их заполнение вручную не подтверждено"
	case pipeline.SkipPersonal:
		return "есть материалы с возможными персональными данными, по которым не принято решение"
	case pipeline.SkipOtherPortal:
		return "сайт переносится на другой портал"
	}
	return string(sk.Reason)
}
