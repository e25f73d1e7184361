<?php
// Test router for PHP's built-in server, in the manner of the corpus's:
// .php pages run through PHP, and .html pages too when PHP_HTML is set.
$file = $_SERVER['DOCUMENT_ROOT'] . parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$asPHP = getenv('PHP_HTML') ? '/\.(php|html?)$/i' : '/\.php$/i';
if (is_file($file) && preg_match($asPHP, $file)) {
    include $file;
    return true;
}
return false;
