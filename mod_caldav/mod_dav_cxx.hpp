// Includes mod_dav.h from C++: it names a struct member and a parameter "namespace", a C++
// keyword, so that word is renamed while (and only while) mod_dav.h itself is read.
#pragma once

#include <climits>
#include <ctime>

#include <apr_dbm.h>
#include <apr_hash.h>
#include <apr_hooks.h>
#include <apr_tables.h>
#include <httpd.h>
#include <util_filter.h>
#include <util_xml.h>

#define namespace dav_namespace
#include <mod_dav.h>
#undef namespace
