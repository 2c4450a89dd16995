# imgpool_warnings(target): the warning set every imgpool target compiles with.
# Third-party headers (OpenCV, TBB) come in as SYSTEM includes through their imported targets,
# so their warnings stay out of ours.
function(imgpool_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                         -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast)
endfunction()
