# Finds every library orbit builds against through pkg-config. A missing
# one stops configure with the Debian package that provides it.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
    message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(orbit_require prefix module debian_package)
    pkg_check_modules(${prefix} QUIET IMPORTED_TARGET GLOBAL ${module})
    if(NOT ${prefix}_FOUND)
        message(FATAL_ERROR
            "orbit needs ${module} (pkg-config), which is missing.\n"
            "Install the Debian package: apt-get install ${debian_package}")
    endif()
    message(STATUS "orbit: ${module} ${${prefix}_VERSION}")
endfunction()

orbit_require(NCURSESW ncursesw libncurses-dev)
orbit_require(LWS libwebsockets libwebsockets-dev)
orbit_require(CURL libcurl libcurl4-openssl-dev)
orbit_require(JANSSON jansson libjansson-dev)
# The client streams large snapshots through yajl (client_snapstream.h).
orbit_require(YAJL yajl libyajl-dev)
orbit_require(CMOCKA cmocka libcmocka-dev)
orbit_require(SQLITE sqlite3 libsqlite3-dev)
orbit_require(CRYPTO libcrypto libssl-dev)

# libunistring ships no pkg-config file in Debian 12: find it by its header.
find_path(ORBIT_UNISTRING_INCLUDE unistr.h)
find_library(ORBIT_UNISTRING_LIBRARY unistring)
if(NOT ORBIT_UNISTRING_INCLUDE OR NOT ORBIT_UNISTRING_LIBRARY)
    message(FATAL_ERROR
        "orbit needs libunistring, which is missing.\n"
        "Install the Debian package: apt-get install libunistring-dev")
endif()
add_library(Orbit::unistring UNKNOWN IMPORTED GLOBAL)
set_target_properties(Orbit::unistring PROPERTIES
    IMPORTED_LOCATION ${ORBIT_UNISTRING_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${ORBIT_UNISTRING_INCLUDE})
message(STATUS "orbit: libunistring ${ORBIT_UNISTRING_LIBRARY}")
