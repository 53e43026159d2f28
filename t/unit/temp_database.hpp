// A database file in a fresh temporary directory, removed with everything beside it afterwards.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

class TempDatabase {
public:
    TempDatabase() {
        std::string pattern = (std::filesystem::temp_directory_path() / "caldav-unit-XXXXXX").string();
        directory_ = mkdtemp(pattern.data());
        path_ = directory_ + "/caldav.sqlite";
    }
    ~TempDatabase() { std::filesystem::remove_all(directory_); }
    const std::string& path() const { return path_; }
    const std::string& directory() const { return directory_; }

private:
    std::string directory_;
    std::string path_;
};
