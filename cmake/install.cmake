# `cmake --install BUILD --prefix P` (API.md "Install"): nrnc, the runtime as static and
# shared library, its headers, the standard library, the man page, a pkg-config file and
# a CMake package. Every installed file that points at another does so relative to
# itself (nrnc through drv_paths.c, nrnrt.pc through ${pcfiledir}, the CMake package
# through its own folder), so P can be moved after installing.
include(CMakePackageConfigHelpers)

set(NRN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nrnc)
set(NRN_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS nrnc EXPORT nrncTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS nrnrt ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS nrnrt_shared EXPORT nrncTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# nrnrt.h is the embedding API; nrt.h is what the C that `nrnc build` generates includes
install(FILES ${PROJECT_SOURCE_DIR}/runtime/nrnrt.h ${PROJECT_SOURCE_DIR}/runtime/nrt.h
        DESTINATION ${NRN_INSTALL_INCLUDE_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${NRN_INSTALL_STDLIB_DIR}
        FILES_MATCHING PATTERN "*.nrn")
install(FILES ${PROJECT_SOURCE_DIR}/docs/nrnc.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# pkg-config: the prefix is this file's folder less the way down to it from the prefix
file(RELATIVE_PATH NRN_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${NRN_PKGCONFIG_DIR} ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" NRN_PC_TO_PREFIX "${NRN_PC_TO_PREFIX}")   # "../../" -> "../.."
configure_file(${CMAKE_CURRENT_LIST_DIR}/nrnrt.pc.in ${PROJECT_BINARY_DIR}/nrnrt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nrnrt.pc DESTINATION ${NRN_PKGCONFIG_DIR})

# find_package(nrnc): nrnc::nrnrt, and nrnc::nrnc for the compiler itself
install(EXPORT nrncTargets NAMESPACE nrnc:: DESTINATION ${NRN_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/nrncConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/nrncConfig.cmake
                              INSTALL_DESTINATION ${NRN_CMAKE_DIR})
# 0.x: a minor release may change the API, so only the same minor version is compatible
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nrncConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nrncConfig.cmake ${PROJECT_BINARY_DIR}/nrncConfigVersion.cmake
        DESTINATION ${NRN_CMAKE_DIR})
