// The main() every viewer test uses: headless unless told otherwise, and with
// its own settings folder so recent files never touch the user's.
#pragma once

#include <QApplication>
#include <QTemporaryDir>
#include <QtTest>

#define WORTHIT_GUI_TEST_MAIN(TestClass)                                                         \
  int main(int argc, char** argv) {                                                              \
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen"); \
    QTemporaryDir settings_dir;                                                                  \
    qputenv("XDG_CONFIG_HOME", settings_dir.path().toLocal8Bit());                               \
    QApplication app(argc, argv);                                                                \
    QApplication::setOrganizationName(QStringLiteral("worthit-tests"));                          \
    QApplication::setApplicationName(QStringLiteral("worthit-viewer-tests"));                    \
    TestClass test;                                                                              \
    return QTest::qExec(&test, argc, argv);                                                      \
  }

inline QString fixture(const char* name) {
  return QStringLiteral(WORTHIT_GUI_FIXTURES "/") + QString::fromLatin1(name);
}
