# Runs COMMAND (a list) and fails unless it exits with EXPECT_EXIT and its combined output
# matches the regular expression EXPECT_OUTPUT. Optional checks of what the command writes:
#   WORK_DIR      run in this directory, emptied first (relative paths below are inside it)
#   EXPECT_FILES  files that must exist and be non-empty
#   EXPECT_CSV    a CSV file whose first line matches EXPECT_CSV_HEADER, with at least one row
#   EXPECT_MODEL  a Keras .h5 file that `${TESSERA} summary --model` must load
if(WORK_DIR)
  file(REMOVE_RECURSE ${WORK_DIR})
  file(MAKE_DIRECTORY ${WORK_DIR})
else()
  set(WORK_DIR .)
endif()
execute_process(COMMAND ${COMMAND} WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL EXPECT_EXIT)
  message(FATAL_ERROR "exit ${rc}, expected ${EXPECT_EXIT}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output does not match '${EXPECT_OUTPUT}'\nstdout: ${out}\nstderr: ${err}")
endif()

foreach(f ${EXPECT_FILES})
  file(SIZE ${WORK_DIR}/${f} size)
  if(NOT size GREATER 0)
    message(FATAL_ERROR "${f} is empty\nstdout: ${out}")
  endif()
endforeach()
if(EXPECT_CSV)
  file(STRINGS ${WORK_DIR}/${EXPECT_CSV} lines)
  list(LENGTH lines count)
  list(GET lines 0 header)
  if(count LESS 2 OR NOT header MATCHES "${EXPECT_CSV_HEADER}")
    message(FATAL_ERROR "${EXPECT_CSV}: expected a header matching '${EXPECT_CSV_HEADER}' and rows, got:\n${lines}")
  endif()
endif()
if(EXPECT_MODEL)
  execute_process(COMMAND ${TESSERA} summary --model ${EXPECT_MODEL} WORKING_DIRECTORY ${WORK_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Total params")
    message(FATAL_ERROR "${EXPECT_MODEL} does not load: exit ${rc}\n${out}${err}")
  endif()
endif()
