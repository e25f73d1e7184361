<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>Гостевая книга</title></head>
<body><p>Гостевая книга временно отключена. Приносим извинения — администратор сайта.</p></body></html>
