# The installed package: `find_package(imgpool [0.1] [COMPONENTS pool core])` through a relocatable CMake
# config with a SameMajorVersion version file, and pkg-config files imgpool-pool.pc / imgpool-core.pc.
# Included from the top-level CMakeLists.txt when IMGPOOL_INSTALL is on; pool/ and core/ install their
# own targets into the export set imgpoolTargets.
include(CMakePackageConfigHelpers)

set(IMGPOOL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/imgpool)
set(IMGPOOL_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(TARGET imgpool_core)
  set(IMGPOOL_HAS_CORE ON)
else()
  set(IMGPOOL_HAS_CORE OFF)
endif()
# Static libraries carry their PRIVATE dependencies into the consumer's link line, so the package must
# find those too; shared ones need only their public dependencies.
get_target_property(_imgpool_type imgpool_pool TYPE)
if(_imgpool_type STREQUAL "STATIC_LIBRARY")
  set(IMGPOOL_STATIC ON)
else()
  set(IMGPOOL_STATIC OFF)
endif()

# Shared: libimgpool_core.so finds libimgpool_pool.so beside itself wherever the prefix is.
if(NOT IMGPOOL_STATIC AND IMGPOOL_HAS_CORE)
  set_target_properties(imgpool_core PROPERTIES INSTALL_RPATH "$ORIGIN")
endif()

install(EXPORT imgpoolTargets NAMESPACE imgpool:: DESTINATION ${IMGPOOL_CMAKE_DIR} FILE imgpoolTargets.cmake)
configure_package_config_file(cmake/imgpoolConfig.cmake.in ${PROJECT_BINARY_DIR}/imgpoolConfig.cmake
                              INSTALL_DESTINATION ${IMGPOOL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/imgpoolConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/imgpoolConfig.cmake ${PROJECT_BINARY_DIR}/imgpoolConfigVersion.cmake
        DESTINATION ${IMGPOOL_CMAKE_DIR})

# pkg-config: relocatable through ${pcfiledir}, so `cmake --install --prefix ANY` works.
file(RELATIVE_PATH IMGPOOL_PC_PREFIX "/root/${IMGPOOL_PKGCONFIG_DIR}" "/root")
if(IMGPOOL_STATIC)
  set(IMGPOOL_PC_CORE_REQUIRES "imgpool-pool opencv4 libturbojpeg libjpeg libwebp libwebpdemux libwebpmux spng lcms2 exiv2 libtiff-4 fmt")
  set(IMGPOOL_PC_CORE_REQUIRES_PRIVATE "")
else()
  set(IMGPOOL_PC_CORE_REQUIRES "imgpool-pool opencv4")
  set(IMGPOOL_PC_CORE_REQUIRES_PRIVATE "libturbojpeg libjpeg libwebp libwebpdemux libwebpmux spng lcms2 exiv2 libtiff-4 fmt")
endif()
configure_file(cmake/imgpool-pool.pc.in ${PROJECT_BINARY_DIR}/imgpool-pool.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/imgpool-pool.pc DESTINATION ${IMGPOOL_PKGCONFIG_DIR})
if(IMGPOOL_HAS_CORE)
  configure_file(cmake/imgpool-core.pc.in ${PROJECT_BINARY_DIR}/imgpool-core.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/imgpool-core.pc DESTINATION ${IMGPOOL_PKGCONFIG_DIR})
endif()
